import 'reflect-metadata';
import { TransformationType } from 'class-transformer';
import { defaultMetadataStorage as transformerStorage } from 'class-transformer/cjs/storage.js';
import { ValidationTypes, getMetadataStorage, type ValidationArguments } from 'class-validator';
import { JsonValueSlot } from '../validation/json-value.js';

type Schema = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- class-validator keys its metadata by Function
type Class = Function;

/**
 * The ISO 8601 checks the validation schemas name as formats, each class-validator's own
 * `isISO8601` with these options: a format is registered under each name (fast-path.ts).
 */
export const ISO8601_FORMATS = {
  iso8601: {},
  'iso8601-strict': { strict: true },
  'iso8601-strict-separator': { strictSeparator: true },
  'iso8601-strict-strict-separator': { strict: true, strictSeparator: true },
} as const;

/** The keyword the validation schemas use for `@Length`: class-validator's own `length(value, min, max)`. */
export const LENGTH_KEYWORD = 'classValidatorLength';

export interface ValidationSchema {
  /** JSON Schema (draft 2020-12): the root class, and in `$defs` each class it nests. */
  schema: Schema;
  /**
   * The rules the schema could not say exactly as class-validator applies them, by class and
   * property. Any at all: the class gets no fast path (class-validator alone decides).
   */
  problems: string[];
}

/**
 * A JSON Schema that accepts a plain JSON value only if class-validator accepts the instance
 * class-transformer makes of it (`decodeAs`), generated from the same decorators. Unlike the
 * documentation schemas (json-schema.ts), it is exact or stricter, never laxer, rule by rule:
 *
 * - the metadata is read with the very call class-validator's executor makes (inheritance
 *   and groups as it sees them), every constraint of a property applies (none is merged away);
 * - `@IsOptional()` lets `null` through too, as class-validator does; every other property
 *   is required;
 * - `@Length` and `@IsISO8601` are class-validator's own functions (a keyword, formats): its
 *   length does not count U+FE0E/U+FE0F, its date check is not ajv's `date-time`;
 * - `@Matches` is a `pattern` only for a RegExp without flags (ajv is told not to add `u`);
 * - `@ValidateNested` follows class-transformer's `@Type`: the nested class (an array of it
 *   under `@IsArray`), or for a discriminated union the subtype its property names;
 * - anything else (a constraint, option or transformer feature not listed here) is a
 *   problem, so the class keeps the class-validator path: unknown means unproven.
 *
 * Where class-validator is more permissive than the schema, the schema says no and
 * class-validator decides, which only costs time: arrays under `@ValidateNested` (it checks
 * their items at any depth, so `evidence: [[item]]` and `result: [toolResult]` pass it),
 * Infinity under `@Min` without `@IsNumber`, NaN or Infinity with `allowNaN`/`allowInfinity`.
 */
export function validationSchemaOf(root: Class): ValidationSchema {
  const names = new Map<Class, string>();
  const taken = new Set<string>();
  const pending: Class[] = [];
  const problems: string[] = [];
  const refTo = (cls: Class): Schema => {
    let name = names.get(cls);
    if (name === undefined) {
      name = cls.name || 'Anonymous';
      for (let n = 2; taken.has(name); n++) name = `${cls.name}${n}`;
      taken.add(name);
      names.set(cls, name);
      pending.push(cls);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const rootRef = refTo(root);
  const defs: Record<string, Schema | boolean> = {};
  for (let cls = pending.shift(); cls; cls = pending.shift()) {
    defs[names.get(cls)!] = classSchema(cls, refTo, (problem) =>
      problems.push(`${cls.name}.${problem}`),
    );
  }
  return {
    schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...rootRef, $defs: defs },
    problems,
  };
}

interface Metadata {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  constraintCls?: Class;
  each?: boolean;
  always?: boolean;
  validateIf?: unknown;
}

interface Constraint {
  name: string;
  async?: boolean;
  instance: { validate(value: unknown, args?: ValidationArguments): unknown };
}

interface ValidatorStorage {
  getTargetValidationMetadatas(
    target: Class,
    schema: string,
    always: boolean,
    strictGroups: boolean,
    groups?: string[],
  ): Metadata[];
  getTargetValidatorConstraints(target: Class): Constraint[];
}

function classSchema(
  cls: Class,
  refTo: (cls: Class) => Schema,
  problem: (text: string) => void,
): Schema | boolean {
  const validators = getMetadataStorage() as unknown as ValidatorStorage;
  // The call ValidationExecutor.execute makes for validateSync(instance) with no groups.
  const metadatas = validators.getTargetValidationMetadatas(cls, '', false, false, undefined);
  if (metadatas.length === 0) {
    problem('(class): no validation metadata, so class-validator refuses any object of it');
    return false;
  }
  if (
    transformerStorage.getStrategy(cls) !== 'none' ||
    transformerStorage.getExposedMetadatas(cls).length > 0 ||
    transformerStorage.getExcludedMetadatas(cls).length > 0
  ) {
    problem('(class): @Expose/@Exclude change which keys class-transformer copies');
  }
  let blank: Record<string, unknown> = {};
  try {
    blank = new (cls as new () => Record<string, unknown>)();
  } catch {
    problem('(class): cannot be constructed without arguments');
  }

  const byProperty = new Map<string, Metadata[]>();
  for (const metadata of metadatas) {
    const list = byProperty.get(metadata.propertyName) ?? [];
    list.push(metadata);
    byProperty.set(metadata.propertyName, list);
  }

  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [property, list] of byProperty) {
    const at = (text: string) => problem(`${property}: ${text}`);
    // class-transformer skips these keys, and a value the blank instance already has (a
    // default, a getter, an inherited method) is what class-validator would see instead.
    if (property === '__proto__' || property === 'constructor' || blank[property] !== undefined)
      at('the instance does not take this key from the input as it is');

    const source = valueSource(cls, property, at);
    let optional = false;
    const parts: Schema[] = [];
    let nested: Metadata | undefined;
    const constraintNames = new Set<string>();
    for (const metadata of list) {
      if (
        metadata.type === ValidationTypes.CONDITIONAL_VALIDATION &&
        metadata.name === 'isOptional'
      ) {
        optional = true;
      } else if (metadata.type === ValidationTypes.NESTED_VALIDATION) {
        nested = metadata;
      } else if (metadata.type === ValidationTypes.CUSTOM_VALIDATION) {
        const schema = constraintSchema(metadata, validators, at);
        if (schema) parts.push(schema);
        const name = validators.getTargetValidatorConstraints(metadata.constraintCls!)[0]?.name;
        if (name) constraintNames.add(name);
      } else {
        at(`${metadata.type}${metadata.name ? ` (${metadata.name})` : ''} is not supported`);
      }
    }
    if (nested) {
      const schema = nestedSchema(cls, source, constraintNames, refTo, at);
      if (schema) parts.push(schema);
    }
    const schema = combine(parts);
    // `@IsOptional()`: class-validator checks nothing when the value is null or undefined.
    properties[property] = optional ? { anyOf: [{ type: 'null' }, schema] } : schema;
    if (!optional) required.push(property);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

/** Where the value class-validator sees comes from: the input as it is, a copy, or a class. */
type ValueSource =
  | { kind: 'json' } // @JsonValue: the input value itself
  | { kind: 'copy' } // no @Type: class-transformer's copy (same JSON type, keys maybe dropped)
  | { kind: 'class'; type: Class } // @Type(() => Class): an instance (or array of them)
  | { kind: 'union'; property: string; subTypes: Array<{ name: string; value: Class }> };

function valueSource(cls: Class, property: string, at: (text: string) => void): ValueSource {
  const transforms = transformerStorage.findTransformMetadatas(
    cls,
    property,
    TransformationType.PLAIN_TO_CLASS,
  );
  if (transformerStorage.findExposeMetadata(cls, property))
    at('@Expose renames or filters the key');
  if (transformerStorage.findExcludeMetadata(cls, property)) at('@Exclude drops the key');
  const type = transformerStorage.findTypeMetadata(cls, property);
  if (!type) {
    if (transforms.length > 0) at('a @Transform changes the value');
    return { kind: 'copy' };
  }
  // A type that depends on the object (`@Type(({ object }) => …)`) cannot be read here.
  if (type.typeFunction.length > 0) at('@Type depends on the object');
  const reflected = type.reflectedType as Class | undefined;
  if (
    reflected === Map ||
    reflected === Set ||
    (reflected?.prototype && reflected !== Array && 'push' in (reflected.prototype as object))
  )
    at('the declared type makes class-transformer build a Map, a Set or a custom array');
  const discriminator = type.options?.discriminator;
  if (discriminator) {
    if (transforms.length > 0) at('a @Transform changes the value');
    if (!type.options.keepDiscriminatorProperty)
      at('the discriminator property is deleted from the input');
    if (discriminator.property in Object.prototype)
      at('the discriminator property is inherited by every object');
    const subTypes: Array<{ name: string; value: Class }> = [];
    for (const subType of discriminator.subTypes) {
      if (typeof subType.name !== 'string') at('a discriminator value is not a string');
      // class-transformer takes the first subtype with the name.
      else if (!subTypes.some((known) => known.name === subType.name))
        subTypes.push({ name: subType.name, value: subType.value });
    }
    return { kind: 'union', property: discriminator.property, subTypes };
  }
  const target = type.typeFunction() as Class;
  if (target === JsonValueSlot) {
    // JsonValue(): the slot type and the one transform that puts the input value back.
    if (transforms.length !== 1) at('a @Transform besides @JsonValue changes the value');
    return { kind: 'json' };
  }
  if (transforms.length > 0) at('a @Transform changes the value');
  if (CONVERTED_TYPES.has(target))
    at(`@Type(() => ${target.name}) converts the value before validation`);
  return { kind: 'class', type: target };
}

/** Types class-transformer converts a value to (String(value), new Date(value)…), not a class to fill. */
const CONVERTED_TYPES = new Set<Class>([
  String,
  Number,
  Boolean,
  Date,
  Buffer,
  Map,
  Set,
  Array,
  Promise,
  Symbol,
  BigInt,
]);

function nestedSchema(
  cls: Class,
  source: ValueSource,
  constraintNames: Set<string>,
  refTo: (cls: Class) => Schema,
  at: (text: string) => void,
): Schema | undefined {
  if (source.kind === 'union') {
    // An object whose discriminator names a subtype, valid as that subtype (class-transformer
    // makes anything else a plain Object, which class-validator refuses as an unknown value).
    const names = source.subTypes.map((subType) => subType.name);
    for (const subType of source.subTypes) hasMetadata(subType.value, at);
    return {
      type: 'object',
      required: [source.property],
      properties: { [source.property]: { enum: names } },
      allOf: source.subTypes.map((subType) => ({
        if: { properties: { [source.property]: { const: subType.name } } },
        then: refTo(subType.value),
      })),
    };
  }
  if (source.kind !== 'class') {
    at(
      `@ValidateNested without a @Type class: class-validator refuses ${cls.name}'s plain objects`,
    );
    return undefined;
  }
  hasMetadata(source.type, at);
  const ref = refTo(source.type);
  // class-validator validates an array's items one by one, an object as itself; the schema
  // takes the form the other decorators ask for, or either when none does.
  if (constraintNames.has('isArray')) return { items: ref };
  if (constraintNames.has('isObject')) return ref;
  return { anyOf: [ref, { type: 'array', items: ref }] };
}

function hasMetadata(cls: Class, at: (text: string) => void): void {
  const validators = getMetadataStorage() as unknown as ValidatorStorage;
  if (validators.getTargetValidationMetadatas(cls, '', false, false, undefined).length === 0)
    at(`${cls.name} has no validation metadata`);
}

/** One class-validator constraint as a schema that accepts exactly what it accepts. */
function constraintSchema(
  metadata: Metadata,
  validators: ValidatorStorage,
  at: (text: string) => void,
): Schema | undefined {
  const constraints = metadata.constraintCls
    ? validators.getTargetValidatorConstraints(metadata.constraintCls)
    : [];
  const constraint = constraints[0];
  if (constraints.length !== 1 || !constraint) {
    at(`a constraint with ${constraints.length} implementations`);
    return undefined;
  }
  const name = constraint.name;
  if (metadata.each) at(`${name} with { each: true }`);
  if (metadata.validateIf) at(`${name} with validateIf`);
  if (constraint.async) at(`${name} is asynchronous`);
  const args = metadata.constraints ?? [];
  switch (name) {
    case 'isString':
      return { type: 'string' };
    case 'isBoolean':
      return { type: 'boolean' };
    case 'isObject':
      return { type: 'object' };
    case 'isArray':
      return { type: 'array' };
    case 'isInt':
      // ajv's strict numbers: Infinity and NaN are not integers, as for Number.isInteger.
      return { type: 'integer' };
    case 'isNumber': {
      // ajv's numbers are finite (stricter than allowNaN/allowInfinity); decimal places are not checked.
      const options = (args[0] ?? {}) as { maxDecimalPlaces?: number };
      if (options.maxDecimalPlaces !== undefined) at('isNumber with maxDecimalPlaces');
      return { type: 'number' };
    }
    case 'min':
    case 'max': {
      // class-validator: a number, compared; a bound that is not a number refuses everything.
      const bound = args[0];
      if (typeof bound !== 'number' || !Number.isFinite(bound)) return { not: {} };
      return { type: 'number', [name === 'min' ? 'minimum' : 'maximum']: bound };
    }
    case 'equals':
      if (!isPrimitive(args[0])) at('equals with a value compared by identity');
      return { const: args[0] };
    case 'isIn': {
      const values = args[0];
      if (!Array.isArray(values)) return { not: {} };
      if (!values.every(isPrimitive)) at('isIn with values compared by identity');
      return { enum: values };
    }
    case 'isLength': {
      const [min, max] = args;
      if (!isBound(min) || !isBound(max)) at('isLength with bounds that are not numbers');
      return { type: 'string', [LENGTH_KEYWORD]: [min ?? null, max ?? null] };
    }
    case 'matches': {
      const [pattern, modifiers] = args;
      if (modifiers !== undefined) at('matches with modifiers');
      else if (pattern instanceof RegExp && pattern.flags === '')
        return { type: 'string', pattern: pattern.source };
      else if (typeof pattern === 'string') return { type: 'string', pattern };
      else at('matches with a flagged RegExp');
      return undefined;
    }
    case 'isIso8601': {
      const options = (args[0] ?? {}) as Record<string, unknown>;
      const known = ['strict', 'strictSeparator'];
      if (Object.keys(options).some((key) => !known.includes(key)))
        at(`isIso8601 with options ${JSON.stringify(options)}`);
      const format = [
        'iso8601',
        options['strict'] ? 'strict' : '',
        options['strictSeparator'] ? 'strict-separator' : '',
      ]
        .filter(Boolean)
        .join('-');
      return { type: 'string', format };
    }
    case 'isPresent':
      // Evidence.content: `value !== undefined`, which a required property is. Checked, not assumed.
      if (!isPresence(constraint)) at('isPresent that is not `value !== undefined`');
      return undefined;
    default:
      at(`constraint ${name} has no schema`);
      return undefined;
  }
}

function isPrimitive(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value === null ||
    (typeof value === 'number' && !Number.isNaN(value))
  );
}

/** A bound validator's isLength reads as given: absent, or a number (null would mean 0 as a maximum). */
function isBound(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

/** True when the validator refuses undefined and takes every kind of JSON value. */
function isPresence(constraint: Constraint): boolean {
  const probes: unknown[] = [null, false, true, 0, -1, 1.5, '', 'x', {}, [], [null], { a: 1 }];
  const check = (value: unknown) => constraint.instance.validate(value);
  return check(undefined) === false && probes.every((value) => check(value) === true);
}

/** All of `parts`: merged into one object where no two give a keyword different values. */
function combine(parts: Schema[]): Schema {
  const merged: Schema = {};
  const rest: Schema[] = [];
  for (let part of parts) {
    // An integer is a number: `isInt` with `min` is one type, not two.
    if (part['type'] === 'number' && merged['type'] === 'integer')
      part = { ...part, type: 'integer' };
    if (part['type'] === 'integer' && merged['type'] === 'number') merged['type'] = 'integer';
    const clash = Object.entries(part).some(
      ([key, value]) => key in merged && JSON.stringify(merged[key]) !== JSON.stringify(value),
    );
    if (clash) rest.push(part);
    else Object.assign(merged, part);
  }
  if (rest.length === 0) return merged;
  const { allOf, ...others } = merged as { allOf?: Schema[] };
  return { ...others, allOf: [...(allOf ?? []), ...rest] };
}
