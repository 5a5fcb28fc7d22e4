import { Exclude, Transform, Type } from 'class-transformer';

/** Stands for a field's JSON value while class-transformer builds the instance: it has no keys. */
@Exclude()
export class JsonValueSlot {}

/**
 * Marks a field that holds free-form JSON (trigger data, tool arguments, evidence): it is kept
 * exactly as received, any key name included, and class-transformer never walks into it (it
 * would drop `constructor` keys, throw on some, and recurse without bound). Validate it with
 * its own decorators (`@IsObject()`).
 */
export function JsonValue(): PropertyDecorator {
  const slot = Type(() => JsonValueSlot);
  const keep = Transform(({ obj, key }) => (obj as Record<string, unknown>)[key], {
    toClassOnly: true,
  });
  return (target, key) => {
    slot(target, key);
    keep(target, key);
  };
}
