import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';

/** The problems of a model's proposed `args` against `decision.model.outputSchema`; none when they satisfy it. */
export type ArgsCheck = (args: Record<string, unknown>) => string[];

export type CompiledOutputSchema = { ok: true; check: ArgsCheck } | { ok: false; problem: string };

/**
 * Compiles a workflow's `decision.model.outputSchema` (JSON Schema draft 2020-12). The loader
 * compiles it to reject a schema that is not one (an unknown keyword, a bad type, an unknown
 * `format`: this build checks no formats, and a format that is silently not checked would
 * let through what the author meant to stop); the decision service compiles it once per
 * workflow version and checks every `act` proposal of the model with it.
 *
 * Each compile gets its own Ajv instance: a schema with an `$id` compiled twice in one
 * instance is an error, and the instances are few (one per workflow version).
 */
export function compileOutputSchema(schema: unknown): CompiledOutputSchema {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema))
    return { ok: false, problem: 'a JSON Schema is a mapping' };
  const ajv = new Ajv2020.default({
    allErrors: true,
    // Unknown keywords (a misspelt `minimun`) are errors; type and tuple style are not.
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
  });
  try {
    const validate = ajv.compile(schema);
    return {
      ok: true,
      check: (args) => (validate(args) ? [] : argsProblems(validate.errors ?? [])),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `not a valid JSON Schema (draft 2020-12): ${message}` };
  }
}

/** Ajv's errors as `args.<path>: <problem>`, the way the other output problems read. */
function argsProblems(errors: ErrorObject[]): string[] {
  const problems = errors.map((error) => {
    const at = ['args', ...pointerParts(error.instancePath)];
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

function pointerParts(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}
