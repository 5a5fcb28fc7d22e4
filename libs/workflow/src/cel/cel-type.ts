/**
 * The types Baton's expression checker knows. Values come from JSON, so every number a run
 * carries is a CEL `double`; `int` comes only from literals and functions such as `size()`.
 * `dyn` is "not known until the run": the checker lets it through and the run decides.
 */
export type CelTypeName = 'dyn' | 'bool' | 'int' | 'double' | 'string' | 'null' | 'timestamp';

export type CheckType =
  | { kind: CelTypeName }
  | { kind: 'list'; of: CheckType }
  | {
      kind: 'map';
      /** Every value's type when the keys are not known in advance. */
      values: CheckType;
      /** Known keys: selecting another key is a problem (a typo, a source that does not exist). */
      fields?: Readonly<Record<string, CheckType>>;
      /** What the keys are, for the message about an unknown one: "context source". */
      keysAre?: string;
    };

export const DYN: CheckType = { kind: 'dyn' };
export const BOOL: CheckType = { kind: 'bool' };
export const INT: CheckType = { kind: 'int' };
export const DOUBLE: CheckType = { kind: 'double' };
export const STRING: CheckType = { kind: 'string' };
export const NULL: CheckType = { kind: 'null' };
export const TIMESTAMP: CheckType = { kind: 'timestamp' };
export const DYN_MAP: CheckType = { kind: 'map', values: DYN };

export const listOf = (of: CheckType): CheckType => ({ kind: 'list', of });

/** A map whose keys are known (an object with fields). */
export const record = (fields: Record<string, CheckType>, keysAre?: string): CheckType => ({
  kind: 'map',
  values: DYN,
  fields,
  ...(keysAre ? { keysAre } : {}),
});

export const isNumeric = (type: CheckType) => type.kind === 'int' || type.kind === 'double';

/** The type as a person reads it in a message. */
export function typeName(type: CheckType): string {
  switch (type.kind) {
    case 'list':
      return `list(${typeName(type.of)})`;
    case 'map':
      return type.fields ? 'map' : `map(string, ${typeName(type.values)})`;
    default:
      return type.kind;
  }
}

/** The type with its article, as a sentence says it: "an int", "a string". */
export function aType(type: CheckType): string {
  const name = typeName(type);
  return `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** The type both branches fit (a conditional, the items of a list): dyn when they differ. */
export function join(a: CheckType, b: CheckType): CheckType {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind !== b.kind) return DYN;
  if (a.kind === 'list' && b.kind === 'list') return listOf(join(a.of, b.of));
  if (a.kind === 'map' && b.kind === 'map') return a.fields || b.fields ? DYN_MAP : a;
  return a;
}
