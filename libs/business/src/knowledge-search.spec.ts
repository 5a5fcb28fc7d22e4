import { describe, expect, it } from 'vitest';
import { MAX_QUERY_WORDS, toOrTsQuery } from './knowledge-search.js';

describe(toOrTsQuery.name, () => {
  it('ORs the distinct words of a message, lowercased', () => {
    expect(toOrTsQuery('I was charged TWICE, charged twice for March!')).toBe(
      'i | was | charged | twice | for | march',
    );
  });

  it('keeps nothing that could be tsquery syntax', () => {
    expect(toOrTsQuery(`refund' & !(credit) <-> :* | "x"`)).toBe('refund | credit | x');
  });

  it('folds accents and keeps digits', () => {
    expect(toOrTsQuery('Facturé 2 fois, 36€')).toBe('facture | 2 | fois | 36');
  });

  it('returns undefined when there is no word to search for', () => {
    expect(toOrTsQuery('  ?!… ')).toBeUndefined();
  });

  it('bounds the number of words of a long message', () => {
    const long = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    expect(toOrTsQuery(long)!.split(' | ')).toHaveLength(MAX_QUERY_WORDS);
  });
});
