import Ajv2020 from 'ajv/dist/2020.js';
import { isISO8601, length } from 'class-validator';
import {
  ISO8601_FORMATS,
  LENGTH_KEYWORD,
  validationSchemaOf,
} from '../schema/validation-schema.js';

/** Says whether a plain JSON value is certainly valid; false means "ask class-validator". */
export type FastCheck = (plain: unknown) => boolean;

export interface FastPath {
  /** Undefined when the class has problems: class-validator alone decides for it. */
  check: FastCheck | undefined;
  /** What keeps the class from having a fast path (see validationSchemaOf). */
  problems: string[];
}

let ajv: InstanceType<typeof Ajv2020.default> | undefined;

/** One Ajv for all fast paths, with class-validator's own checks where JSON Schema's differ. */
function compiler(): InstanceType<typeof Ajv2020.default> {
  ajv ??= new Ajv2020.default({
    strict: true,
    // Infinity and NaN are not numbers (class-validator's isNumber and isInt agree).
    strictNumbers: true,
    // The first failure is enough: the errors a sender sees come from class-validator.
    allErrors: false,
    // `pattern` is compiled as class-validator's RegExp is: without the `u` flag.
    unicodeRegExp: false,
    validateFormats: true,
    formats: Object.fromEntries(
      Object.entries(ISO8601_FORMATS).map(([name, options]) => [
        name,
        { type: 'string', validate: (text: string) => isISO8601(text, options) },
      ]),
    ),
    keywords: [
      {
        keyword: LENGTH_KEYWORD,
        type: 'string',
        schemaType: 'array',
        compile: ([min, max]: Array<number | null>) => {
          const lower = min ?? undefined;
          const upper = max ?? undefined;
          return (text: string) => length(text, lower!, upper!);
        },
      },
    ],
  });
  return ajv;
}

/**
 * Compiles the validation schema of `cls` (validationSchemaOf) with Ajv. A class with any
 * problem gets no check. Never throws: a schema Ajv refuses is a problem too.
 */
export function compileFastPath(cls: abstract new (...args: never[]) => object): FastPath {
  const { schema, problems } = validationSchemaOf(cls);
  if (problems.length > 0) return { check: undefined, problems };
  try {
    const validate = compiler().compile(schema);
    return {
      check: (plain) => {
        try {
          return validate(plain) === true;
        } catch {
          return false;
        }
      },
      problems: [],
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { check: undefined, problems: [`(schema): Ajv refuses it: ${message}`] };
  }
}
