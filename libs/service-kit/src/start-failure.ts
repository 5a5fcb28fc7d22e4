import { ConfigError } from '@baton/config';
import type { Logger } from '@baton/telemetry';

/**
 * Why a service did not start, with the process exit code it stands for (sysexits.h):
 * 78 a configuration that can never work, 69 a dependency that did not come up in time,
 * 70 anything else. Reported once, by `reportStartFailure`.
 */
export class StartFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: 69 | 70 | 78,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StartFailure';
  }

  /** A StartFailure for `error`: a ConfigError is 78 with its problems, anything else 70. */
  static of(error: unknown): StartFailure {
    if (error instanceof StartFailure) return error;
    if (error instanceof ConfigError)
      return new StartFailure(error.message, 78, { problems: error.problems }, { cause: error });
    return new StartFailure('the service could not start', 70, { err: error }, { cause: error });
  }
}

/**
 * The one way a failed start is reported: one fatal line naming what is wrong (every bad
 * variable for a configuration). A process of its own then exits with the failure's code; a
 * host running several services (embedded mode, tests) gets the StartFailure thrown instead.
 */
export function reportStartFailure(error: unknown, logger: Logger, exit: boolean): never {
  const failure = StartFailure.of(error);
  logger.fatal(failure.details, failure.message);
  if (exit) process.exit(failure.exitCode);
  throw failure;
}
