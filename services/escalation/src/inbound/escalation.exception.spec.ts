import { HttpException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { errorBodyOf } from '@baton/service-kit';
import { firstValueFrom, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EscalationError, EscalationErrorCode } from '../domain/escalation-error.js';
import { EscalationErrorMapping, EscalationException } from './escalation.exception.js';

/** What the interceptor turns an error thrown by a use case into. */
async function mapped(error: unknown): Promise<unknown> {
  const next: CallHandler = { handle: () => throwError(() => error) };
  try {
    await firstValueFrom(new EscalationErrorMapping().intercept({} as ExecutionContext, next));
  } catch (thrown) {
    return thrown;
  }
  throw new Error('the error was swallowed');
}

describe('escalation errors over HTTP', () => {
  it('answers each code with its status, in the standard error body', async () => {
    const statuses = {
      [EscalationErrorCode.TaskNotFound]: 404,
      [EscalationErrorCode.TaskNotOpen]: 409,
      [EscalationErrorCode.TaskClaimed]: 409,
      [EscalationErrorCode.FilterRequired]: 400,
      [EscalationErrorCode.ToolRequired]: 400,
      [EscalationErrorCode.ToolMismatch]: 400,
      [EscalationErrorCode.ToolNotGranted]: 422,
      [EscalationErrorCode.ProposalRefused]: 422,
    };
    for (const [code, status] of Object.entries(statuses)) {
      const error = new EscalationError(code as EscalationErrorCode, `${code} happened`);
      const answer = await mapped(error);
      expect(answer).toBeInstanceOf(EscalationException);
      expect(errorBodyOf(answer)).toEqual({
        statusCode: status,
        error: code,
        message: `${code} happened`,
        problems: [`${code} happened`],
      });
    }
  });

  it('keeps the problems by field, and leaves any other error as it is', async () => {
    const refused = new EscalationError(EscalationErrorCode.ProposalRefused, 'refused', [
      'args.amount: too much',
      'check within-invoice-amount: no',
    ]);
    expect(errorBodyOf(await mapped(refused))).toMatchObject({
      statusCode: 422,
      problems: ['args.amount: too much', 'check within-invoice-amount: no'],
    });
    const other = new HttpException('teapot', 418);
    expect(await mapped(other)).toBe(other);
  });
});
