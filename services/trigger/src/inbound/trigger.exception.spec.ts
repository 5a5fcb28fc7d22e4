import { HttpException, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { errorBodyOf } from '@baton/service-kit';
import { firstValueFrom, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TriggerError, TriggerErrorCode } from '../domain/trigger-error.js';
import { TriggerErrorMapping, TriggerException, refuse } from './trigger.exception.js';

/** What the interceptor turns an error thrown by a use case into. */
async function mapped(error: unknown): Promise<unknown> {
  const next: CallHandler = { handle: () => throwError(() => error) };
  try {
    await firstValueFrom(new TriggerErrorMapping().intercept({} as ExecutionContext, next));
  } catch (thrown) {
    return thrown;
  }
  throw new Error('the error was swallowed');
}

describe('trigger errors over HTTP', () => {
  it('answers each code with its status, in the standard error body', async () => {
    const statuses: Record<TriggerErrorCode, number> = {
      [TriggerErrorCode.InvalidEvent]: 400,
      [TriggerErrorCode.InvalidQuery]: 400,
      [TriggerErrorCode.InvalidBody]: 400,
      [TriggerErrorCode.InvalidRunId]: 400,
      [TriggerErrorCode.InvalidVersion]: 400,
      [TriggerErrorCode.UnknownWorkflow]: 422,
      [TriggerErrorCode.EventTypeNotAccepted]: 422,
      [TriggerErrorCode.MissingData]: 422,
      [TriggerErrorCode.InvalidDefinition]: 422,
      [TriggerErrorCode.RunNotFound]: 404,
      [TriggerErrorCode.WorkflowNotFound]: 404,
      [TriggerErrorCode.BacktestNotFound]: 404,
      [TriggerErrorCode.DeadLetterNotFound]: 404,
      [TriggerErrorCode.IdempotencyKeyReused]: 409,
      [TriggerErrorCode.DuplicateEvent]: 409,
      [TriggerErrorCode.RunEnded]: 409,
      [TriggerErrorCode.VersionPublished]: 409,
      [TriggerErrorCode.PublishGateRequired]: 409,
      [TriggerErrorCode.PublishGateFailed]: 409,
      [TriggerErrorCode.CandidateSuperseded]: 409,
      [TriggerErrorCode.DefinitionMismatch]: 409,
    };
    for (const [code, status] of Object.entries(statuses)) {
      const answer = await mapped(new TriggerError(code as TriggerErrorCode, `${code} happened`));
      expect(answer).toBeInstanceOf(TriggerException);
      expect(errorBodyOf(answer)).toEqual({
        statusCode: status,
        error: code,
        message: `${code} happened`,
        problems: [`${code} happened`],
      });
    }
  });

  it('keeps the problems by field and the extension members, and leaves any other error as it is', async () => {
    const missing = new TriggerError(TriggerErrorCode.MissingData, 'data.invoiceId: required', [
      'data.invoiceId: required',
      'data.customerId: required',
    ]);
    expect(errorBodyOf(await mapped(missing))).toMatchObject({
      statusCode: 422,
      problems: ['data.invoiceId: required', 'data.customerId: required'],
    });
    const gate = new TriggerError(TriggerErrorCode.PublishGateFailed, 'not met', ['cases: none'], {
      gate: { met: false },
    });
    expect(errorBodyOf(await mapped(gate))).toEqual({
      gate: { met: false },
      statusCode: 409,
      error: 'publish-gate-failed',
      message: 'not met',
      problems: ['cases: none'],
    });
    const other = new HttpException('teapot', 418);
    expect(await mapped(other)).toBe(other);
  });

  it('refuses HTTP input with every problem, the first as the message', () => {
    expect(
      errorBodyOf(refuse(TriggerErrorCode.InvalidQuery, ['limit: too big', 'since: not a date'])),
    ).toEqual({
      statusCode: 400,
      error: 'invalid-query',
      message: 'limit: too big',
      problems: ['limit: too big', 'since: not a date'],
    });
  });
});
