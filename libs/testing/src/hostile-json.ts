import fc from 'fast-check';

/** Key names that have broken decoders before (`constructor`, `__proto__`…), `fields` and any text. */
export function hostileKeys(fields: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('constructor', '__proto__', 'prototype', 'toString', ...fields),
    fc.string({ maxLength: 10, unit: 'binary' }),
  );
}

/** Text with NUL characters, lone surrogates, control characters, long and empty strings. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.constantFrom('\u0000', 'a\ud800', '\udc00b', 'x'.repeat(3_000), '', ' '),
);

/**
 * Any JSON value, built of hostile keys and text and numbers past the integer columns, for
 * the property tests that send bad input (seeded: `fc.sample(…, { seed })`).
 */
export function hostileJson(keys: fc.Arbitrary<string> = hostileKeys()): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double(),
      fc.constantFrom(2 ** 31, -1, 1e308, Number.MAX_SAFE_INTEGER + 2),
      hostileText,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(keys, tie('value'), { maxKeys: 5 }),
    ),
  })).value;
}
