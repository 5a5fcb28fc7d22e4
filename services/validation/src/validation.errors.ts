import { PermanentFailure } from '@baton/messaging';

export enum ValidationStepErrorCode {
  /** The envelope names a workflow version this instance does not know. */
  UnknownWorkflow = 'unknown-workflow',
}

/**
 * A validation envelope that can never be handled: retrying cannot help, so it goes to the
 * dead-letter topic at once (a PermanentFailure) with the code in its message.
 */
export class ValidationStepError extends PermanentFailure {
  constructor(
    readonly code: ValidationStepErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ValidationStepError';
  }
}
