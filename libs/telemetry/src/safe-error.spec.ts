import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { redactQuoted, safeError } from './safe-error.js';

const CUSTOMER = 'Ann Example wants her money back';

/** A database error as TypeORM throws it: the statement, its parameters, pg's own error. */
function aQueryFailure(): QueryFailedError {
  const driverError = Object.assign(
    new Error(`invalid input syntax for type integer: "${CUSTOMER}"`),
    {
      code: '22P02',
      detail: `Failing row contains (${CUSTOMER}).`,
      where: `unnamed portal parameter $2 = '${CUSTOMER}'`,
      table: 'handled',
      column: 'seq',
      routine: 'pg_strtoint32_safe',
    },
  );
  return new QueryFailedError(
    'INSERT INTO handled (message_id, seq) VALUES ($1, $2)',
    ['m-1', CUSTOMER],
    driverError,
  );
}

function captured() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ service: 'test', version: 't', level: 'info', destination });
  return { logger, text: () => lines.join('') };
}

describe(safeError.name, () => {
  it('keeps what failed and where, and drops the parameters, the detail and quoted values', () => {
    const safe = safeError(aQueryFailure());
    expect(safe).toMatchObject({
      type: 'QueryFailedError',
      message: 'invalid input syntax for type integer: "…"',
      code: '22P02',
      table: 'handled',
      column: 'seq',
      routine: 'pg_strtoint32_safe',
    });
    expect(safe.stack).toMatch(
      /^QueryFailedError: invalid input syntax for type integer: "…"\n\s+at /,
    );
    expect(JSON.stringify(safe)).not.toContain('Ann Example');
  });

  it('follows the cause, and says nothing of a thrown value that is not an Error', () => {
    const wrapped = new Error('tool failed', { cause: aQueryFailure() });
    expect(safeError(wrapped).cause?.type).toBe('QueryFailedError');
    expect(JSON.stringify(safeError(wrapped))).not.toContain('Ann Example');
    expect(safeError({ message: CUSTOMER })).toEqual({
      type: 'object',
      message: '(not an Error: its value is not logged)',
    });
  });

  it("replaces single, double and back quoted text, JSON.parse's snippet included", () => {
    let parseError: unknown;
    try {
      JSON.parse(`Hello, I was charged twice: ${CUSTOMER}`);
    } catch (error) {
      parseError = error;
    }
    expect(JSON.stringify(safeError(parseError))).not.toContain('Hello');
    expect(redactQuoted(`a 'b' "c \\" d" \`e\` f`)).toBe('a "…" "…" "…" f');
    // An apostrophe is not a quote: the words around it stay.
    expect(redactQuoted("not signed by this deployment's services: only Baton's may write")).toBe(
      "not signed by this deployment's services: only Baton's may write",
    );
  });
});

describe('the logger', () => {
  it('serializes err and error fields safely, whatever else the line holds', () => {
    const { logger, text } = captured();
    logger.warn({ err: aQueryFailure(), attempt: 1 }, 'handler failed; retrying');
    logger.warn({ error: aQueryFailure() }, 'as error');
    logger.warn({ error: `tool failed: duplicate value "${CUSTOMER}"` }, 'as text');
    expect(text()).toContain('"type":"QueryFailedError"');
    expect(text()).toContain('tool failed: duplicate value \\"…\\"');
    expect(text()).not.toContain('Ann Example');
  });
});
