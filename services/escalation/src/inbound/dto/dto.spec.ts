import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ApproveTaskDto } from './approve-task.dto.js';
import { ListTasksQuery } from './list-tasks.query.js';
import { RejectTaskDto } from './reject-task.dto.js';
import { requestValidationPipe } from './validation.pipe.js';

const pipe = requestValidationPipe();
const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({
  type: 'body',
  metatype,
});

async function problemsOf(value: unknown, metadata: ArgumentMetadata): Promise<string[]> {
  try {
    await pipe.transform(value, metadata);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { problems: string[] }).problems;
  }
  return [];
}

describe('RejectTaskDto', () => {
  it('requires a reason of 1 to 2000 characters that is not blank', async () => {
    expect(await problemsOf({}, body(RejectTaskDto))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reason: /)]),
    );
    expect(await problemsOf({ reason: '' }, body(RejectTaskDto))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^reason: .*longer than or equal to 1/)]),
    );
    expect(await problemsOf({ reason: '   ' }, body(RejectTaskDto))).toEqual([
      'reason: reason must not be blank',
    ]);
    expect(await problemsOf({ reason: 'x'.repeat(2001) }, body(RejectTaskDto))).toEqual([
      expect.stringMatching(/^reason: .*shorter than or equal to 2000/),
    ]);
    expect(await problemsOf({ reason: 'Not our charge' }, body(RejectTaskDto))).toEqual([]);
  });

  it('refuses fields it does not know, naming them', async () => {
    expect(await problemsOf({ reason: 'no', reasn: 'typo' }, body(RejectTaskDto))).toEqual([
      'reasn: property reasn should not exist',
    ]);
  });
});

describe('ApproveTaskDto', () => {
  it('accepts an empty body (approve as proposed) and args as an object, kept as sent', async () => {
    expect(await problemsOf({}, body(ApproveTaskDto))).toEqual([]);
    const args = { amount: 60, nested: { keep: true } };
    const dto = (await pipe.transform(
      { args, note: 'half' },
      body(ApproveTaskDto),
    )) as ApproveTaskDto;
    expect(dto).toBeInstanceOf(ApproveTaskDto);
    expect(dto.args).toEqual(args);
  });

  it('names args that are not an object, a malformed tool and an empty note', async () => {
    const problems = await problemsOf(
      { args: [1], tool: 'Issue Credit', note: '' },
      body(ApproveTaskDto),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'args: args must be an object',
        'tool: tool must be lowercase letters, digits and dashes',
        expect.stringMatching(/^note: /),
      ]),
    );
  });
});

describe('ListTasksQuery', () => {
  const query: ArgumentMetadata = { type: 'query', metatype: ListTasksQuery };

  it('turns limit into a number and checks status, limit and cursor', async () => {
    const parsed = (await pipe.transform({ status: 'open', limit: '10' }, query)) as ListTasksQuery;
    expect(parsed.limit).toBe(10);
    const problems = await problemsOf({ status: 'done', limit: '0', cursor: 'abc' }, query);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^status: /),
        expect.stringMatching(/^limit: /),
        'cursor: cursor must be a nextCursor from a previous page',
      ]),
    );
  });

  it('takes a run id (a UUIDv7) to list the tasks of one run', async () => {
    const runId = '0197a8c4-5e1b-7c3d-9f20-4b6e8a1d2c3f';
    expect(((await pipe.transform({ runId }, query)) as ListTasksQuery).runId).toBe(runId);
    expect(await problemsOf({ runId: 'run-1' }, query)).toEqual([
      'runId: runId must be a run id (a UUIDv7)',
    ]);
  });
});
