import { PermanentFailure } from '@baton/messaging';

export enum DecisionErrorCode {
  /** A reviewer verdict arrived without the review record it refers to. */
  ReviewRecordMissing = 'review-record-missing',
}

/**
 * A decision envelope that can never be handled: retrying cannot help, so it goes to the
 * dead-letter topic at once (a PermanentFailure) with the code in its message.
 */
export class DecisionError extends PermanentFailure {
  constructor(
    readonly code: DecisionErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'DecisionError';
  }
}
