import { compileOutputSchema, type ArgsCheck, type ModelSpec } from '@baton/workflow';

// One compiled check per model spec, that is per loaded workflow version: the catalog keeps its
// definitions for the life of the process, and a spec that goes away takes its entry with it.
const compiled = new WeakMap<ModelSpec, ArgsCheck>();

/**
 * The check of the model's proposed `args` against `decision.model.outputSchema`, compiled on
 * first use; undefined when the workflow sets no outputSchema.
 */
export function argsCheckOf(spec: ModelSpec): ArgsCheck | undefined {
  if (!spec.outputSchema) return undefined;
  const cached = compiled.get(spec);
  if (cached) return cached;
  const result = compileOutputSchema(spec.outputSchema);
  // The loader refuses a workflow whose outputSchema does not compile: this is a bug, not input.
  if (!result.ok) throw new Error(`decision.model.outputSchema: ${result.problem}`);
  compiled.set(spec, result.check);
  return result.check;
}
