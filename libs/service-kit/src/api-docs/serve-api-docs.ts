import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { WORKFLOW_SCHEMA_FILE, workflowDefinitionSchema } from '@baton/workflow';

/** Where a service serves its API document (no API key: these routes are outside Nest's guards). */
export const API_DOCS = {
  ui: '/docs',
  json: '/docs/openapi.json',
  versioned: '/v1/openapi.json',
} as const;

/**
 * The schema files the OpenAPI document refers to by name, beside it (`$ref:
 * "workflow-definition.v1.schema.json"`): in docs/schemas/ as in a service's /docs/ and /v1/.
 * A schema with a file of its own stays one file, and the document does not change with it.
 */
export const API_SCHEMA_FILES: Record<string, () => object> = {
  [WORKFLOW_SCHEMA_FILE]: workflowDefinitionSchema,
};

/**
 * Serves the service's OpenAPI document: Swagger UI at /docs, the JSON at /docs/openapi.json
 * and /v1/openapi.json, with the schema files it refers to beside it. Built on the first request, so a start pays nothing for it. The routes
 * are the HTTP adapter's own, not a controller's: no API key, no rate limit, and they are not
 * in the document they serve.
 */
export function serveApiDocs(app: INestApplication, build: () => object): void {
  let document: OpenAPIObject | undefined;
  const cached = () => (document ??= build() as OpenAPIObject);
  SwaggerModule.setup(API_DOCS.ui.slice(1), app, cached, {
    jsonDocumentUrl: API_DOCS.json.slice(1),
    raw: ['json'],
    // The UI resolves the document's relative $refs (the schema files) against this URL.
    swaggerUrl: API_DOCS.json,
  });
  const http = app.getHttpAdapter();
  http.get(API_DOCS.versioned, (_request: unknown, reply: Reply) => reply.json(cached()));
  for (const [file, schema] of Object.entries(API_SCHEMA_FILES))
    for (const folder of ['/docs', '/v1'])
      http.get(`${folder}/${file}`, (_request: unknown, reply: Reply) => reply.json(schema()));
}

interface Reply {
  json(body: unknown): void;
}
