import { Allow } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/**
 * Marks a field of an answer class that may be `null`: its generated schema becomes
 * `anyOf: [<the schema of its other decorators>, { type: 'null' }]`, and it stays required (the
 * key is always there). For the classes the services answer with (run summaries, tasks,
 * stats…), which are documented, never decoded; the schema is this decorator's, so put a
 * description here rather than in a second `@JSONSchema`.
 */
export function Nullable(description?: string): PropertyDecorator {
  return JSONSchema((schema) => {
    const { description: own, ...rest } = schema;
    const text = description ?? own;
    return { ...(text ? { description: text } : {}), anyOf: [rest, { type: 'null' }] };
  }) as PropertyDecorator;
}

/**
 * A field of an answer class that holds any JSON value (a step's input or output, an arg a
 * reviewer changed): present, of no fixed shape.
 */
export function AnyJson(description: string): PropertyDecorator {
  const allow = Allow();
  const schema = JSONSchema({ description });
  return (target, key) => {
    allow(target, key);
    schema(target, String(key));
  };
}
