import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Where a service serves its API document (no API key: these routes are outside Nest's guards). */
export const API_DOCS = {
  ui: '/docs',
  json: '/docs/openapi.json',
  versioned: '/v1/openapi.json',
} as const;

/**
 * Serves the service's OpenAPI document: Swagger UI at /docs, the JSON at /docs/openapi.json
 * and /v1/openapi.json. Built on the first request, so a start pays nothing for it. The routes
 * are the HTTP adapter's own, not a controller's: no API key, no rate limit, and they are not
 * in the document they serve.
 */
export function serveApiDocs(app: INestApplication, build: () => object): void {
  let document: OpenAPIObject | undefined;
  const cached = () => (document ??= build() as OpenAPIObject);
  SwaggerModule.setup(API_DOCS.ui.slice(1), app, cached, {
    jsonDocumentUrl: API_DOCS.json.slice(1),
    raw: ['json'],
  });
  app
    .getHttpAdapter()
    .get(API_DOCS.versioned, (_request: unknown, reply: { json(body: unknown): void }) =>
      reply.json(cached()),
    );
}
