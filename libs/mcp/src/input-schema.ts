import AjvDraft7 from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** The problems of a tool call's arguments against the tool's input schema; none when they fit. */
export type InputCheck = (args: Record<string, unknown>) => string[];

const DRAFT_7 = /json-schema\.org\/draft-0[4-7]\/schema/;

/**
 * Compiles an MCP tool's `inputSchema`. The schema is the server's, not Baton's: keywords this
 * validator does not know are ignored rather than refused, and so are formats (none is
 * checked). A schema that says draft-07 (as zod-generated ones do) is read as draft-07, any
 * other as draft 2020-12, the MCP default. A schema that does not compile refuses every call:
 * arguments that cannot be checked are not sent.
 */
export function compileInputSchema(schema: Record<string, unknown>): InputCheck {
  const options = {
    allErrors: true,
    strict: false,
    validateFormats: false,
    logger: false,
  } as const;
  const draft7 = typeof schema['$schema'] === 'string' && DRAFT_7.test(schema['$schema']);
  let validate: ValidateFunction;
  try {
    validate = draft7
      ? new AjvDraft7.default(options).compile(schema)
      : new Ajv2020.default(options).compile(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return () => [`the tool's input schema does not compile (${message})`];
  }
  return (args) => (validate(args) ? [] : describe(validate.errors ?? []));
}

/** Ajv's errors as `args.<path>: <problem>`, as Baton's other argument problems read. */
function describe(errors: ErrorObject[]): string[] {
  const problems = errors.map((error) => {
    const at = ['args', ...error.instancePath.split('/').slice(1).map(unescape)];
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' && typeof params['missingProperty'] === 'string')
      return `${[...at, params['missingProperty']].join('.')}: is required`;
    if (
      error.keyword === 'additionalProperties' &&
      typeof params['additionalProperty'] === 'string'
    )
      return `${[...at, params['additionalProperty']].join('.')}: is not allowed`;
    return `${at.join('.')}: ${error.message ?? `fails "${error.keyword}"`}`;
  });
  return [...new Set(problems)];
}

const unescape = (part: string) => part.replace(/~1/g, '/').replace(/~0/g, '~');
