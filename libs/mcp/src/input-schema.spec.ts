import { describe, expect, it } from 'vitest';
import { compileInputSchema } from './input-schema.js';

// create_entities of @modelcontextprotocol/server-memory, as it lists it (zod: draft-07).
const createEntities = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    entities: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          entityType: { type: 'string' },
          observations: { type: 'array', items: { type: 'string' } },
        },
        required: ['name', 'entityType', 'observations'],
      },
    },
  },
  required: ['entities'],
};

describe(compileInputSchema.name, () => {
  it('passes arguments that fit the schema', () => {
    const check = compileInputSchema(createEntities);
    expect(
      check({ entities: [{ name: 'a@b.example', entityType: 'lead', observations: [] }] }),
    ).toEqual([]);
  });

  it('lists every problem, each at its path', () => {
    const check = compileInputSchema(createEntities);
    expect(check({ entities: [{ name: 7, observations: 'score 80' }] })).toEqual([
      'args.entities.0.entityType: is required',
      'args.entities.0.name: must be string',
      'args.entities.0.observations: must be array',
    ]);
    expect(check({})).toEqual(['args.entities: is required']);
  });

  it('reads a schema without $schema as draft 2020-12, and ignores keywords and formats it does not know', () => {
    const check = compileInputSchema({
      type: 'object',
      properties: {
        when: { type: 'string', format: 'date-time', 'x-ui': 'calendar' },
        tags: { type: 'array', prefixItems: [{ type: 'string' }] },
      },
      additionalProperties: false,
    });
    expect(check({ when: 'not a date', tags: ['a'] })).toEqual([]);
    expect(check({ tags: [1], extra: true })).toEqual([
      'args.extra: is not allowed',
      'args.tags.0: must be string',
    ]);
  });

  it('refuses every call when the schema does not compile', () => {
    const check = compileInputSchema({ type: 'object', properties: { a: { type: 'nope' } } });
    expect(check({})[0]).toMatch(/^the tool's input schema does not compile/);
  });
});
