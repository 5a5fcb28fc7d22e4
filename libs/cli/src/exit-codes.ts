/** What `baton` exits with. */
export const ExitCode = {
  /** It worked. */
  Ok: 0,
  /** The service refused, the definition is invalid, the run failed. */
  Failed: 1,
  /** The command line is wrong: unknown command or option, missing argument. */
  Usage: 2,
  /** The service did not answer (connection refused, DNS, timeout). */
  Unreachable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A wrong command line: printed with the command's usage line, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to point at. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
