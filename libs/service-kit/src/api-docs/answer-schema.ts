type Json = Record<string, unknown>;

/**
 * The JSON Schema (draft 2020-12) of an operation's answer with this status, as an OpenAPI
 * document of openApiDocument's describes it: the response's schema, with the document's
 * components beside it so its `$ref`s resolve. Undefined when the answer has no JSON schema.
 * `closed`: every object schema with properties refuses any other property, so a field the
 * service answers but the document does not name fails the check, as a documented field the
 * answer lacks does (for tests that hold real answers against the document).
 */
export function answerSchema(
  document: Json,
  method: string,
  path: string,
  status: number | string,
  options: { closed?: boolean } = {},
): Json | undefined {
  const paths = document['paths'] as Record<string, Record<string, Json>> | undefined;
  const responses = paths?.[path]?.[method.toLowerCase()]?.['responses'] as
    Record<string, { content?: Record<string, { schema?: Json }> }> | undefined;
  const schema = responses?.[String(status)]?.content?.['application/json']?.schema;
  if (!schema) return undefined;
  const components = structuredClone((document['components'] as Json | undefined) ?? {});
  const closed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(closed);
    if (!value || typeof value !== 'object') return value;
    const object = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closed(v)]));
    if ('properties' in object && !('additionalProperties' in object))
      object['additionalProperties'] = false;
    return object;
  };
  return {
    ...schema,
    components: options.closed
      ? { ...components, schemas: closed(components['schemas']) }
      : components,
  };
}
