import 'reflect-metadata';
import { Module, type INestApplication, type Provider, type Type } from '@nestjs/common';
import { PARAMTYPES_METADATA, SELF_DECLARED_DEPS_METADATA } from '@nestjs/common/constants.js';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { contractDefinitions, reachableDefinitions } from '@baton/contracts';
import { routeAccess } from '../auth.js';
import { ErrorBody } from '../error-body.js';
import { HealthController } from '../health.controller.js';
import { controllersOf } from './http-routes.js';
import { QUERY_EXTENSION, schemaRef } from './api-decorators.js';

type Json = Record<string, unknown>;

/** What the API docs need of a service: its name and version, port and feature module. */
export interface ApiService {
  name: string;
  version: string;
  defaultPort: number;
  module: Type<unknown>;
}

/** One service's part of a document: the Nest app Swagger scans, and where it answers. */
export interface ApiServicePart {
  service: ApiService;
  app: INestApplication;
  url: string;
}

const COMPONENTS = '#/components/schemas/';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Every controller a service's app has: the kit's health probes and its feature module's. */
export function serviceControllers(service: Pick<ApiService, 'module'>): Type<unknown>[] {
  return [HealthController, ...controllersOf(service.module)];
}

/**
 * A Nest app of the service's controllers alone, in preview mode, for Swagger to scan without a
 * running service. Preview mode builds the module graph but instantiates nothing, and every
 * constructor dependency of a controller is a null placeholder: the document comes from the
 * same route metadata Nest routes by, yet needs no database, broker, settings or use case.
 * (Scanning the service's real module would need every provider its definition builds at start.)
 */
export async function previewApp(service: Pick<ApiService, 'module'>): Promise<INestApplication> {
  const controllers = serviceControllers(service);
  const tokens = new Set<unknown>();
  for (const controller of controllers) {
    for (const type of (Reflect.getMetadata(PARAMTYPES_METADATA, controller) as unknown[]) ?? [])
      tokens.add(type);
    const declared = Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, controller) as
      Array<{ param: unknown }> | undefined;
    for (const { param } of declared ?? []) tokens.add(param);
  }
  const providers = [...tokens].map((token) => ({ provide: token, useValue: null }) as Provider);
  @Module({ controllers, providers })
  class ApiDocsModule {}
  return NestFactory.create(ApiDocsModule, { preview: true, logger: false });
}

/**
 * The OpenAPI 3.1 document of the services' HTTP APIs. Swagger scans each app for its routes;
 * then every schema comes from the class-validator classes the services validate with
 * (`contractDefinitions`; the workflow definition is its own schema file, referred to by name
 * beside the document: API_SCHEMA_FILES), every operation says who may call it (from
 * `@Public`/`@Roles`, as ApiKeyGuard reads them), and every error answer is the one `ErrorBody`. A route several services serve (health) is one path with their servers.
 */
export function openApiDocument(parts: ApiServicePart[]): Json {
  const paths: Record<string, Json> = {};
  for (const { service, app, url } of parts) {
    const controllers = new Map(serviceControllers(service).map((c) => [c.name, c]));
    const scanned = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setOpenAPIVersion('3.1.0').build(),
      { operationIdFactory: (controller, method) => `${controller}_${method}` },
    ) as unknown as { paths: Record<string, Json> };
    for (const [path, item] of Object.entries(scanned.paths)) {
      const merged = (paths[path] ??= { servers: [] });
      (merged['servers'] as Json[]).push({ url, description: `the ${service.name} service` });
      for (const method of METHODS) {
        const operation = item[method] as Json | undefined;
        if (operation && !merged[method]) merged[method] = describe(operation, controllers);
      }
    }
  }
  const schemas = schemasFor([ErrorBody.name, ...referencedSchemas(paths)]);
  for (const item of Object.values(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (operation) expandQuery(operation, schemas);
    }
  }
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: schemaRef(ErrorBody) } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Baton HTTP API',
      version: parts[0]?.service.version ?? '0.0.0',
      description:
        'Start runs, read the run ledger and its stats, publish workflows (trigger service); work the review queue (escalation service); health probes (every service). Generated from the services by `npm run docs:generate`; docs/http-api.md explains every endpoint and error code.',
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key: `Authorization: Bearer <key>`. Roles: publisher (post triggers), reviewer (read runs, decide tasks), admin (everything). `npm run api-key -- <name> <role>` makes one.',
        },
      },
      responses: {
        Unauthorized: error('`unauthorized`: no API key, or an unknown one.'),
        Forbidden: error("`forbidden`: the key's role may not do this."),
        ClientError: error(
          'The request was refused (`error` says why: `invalid-json`, `invalid-body`, `payload-too-large`, `rate-limited`, `not-found`…).',
        ),
        ServerError: error(
          'The service could not answer (`internal-error`), or its database is unavailable (`unavailable`, with `Retry-After`).',
        ),
      },
      schemas,
    },
  };
}

/** An operation as Swagger scanned it, with who may call it and its error answers. */
function describe(operation: Json, controllers: Map<string, Type<unknown>>): Json {
  const [controllerName, handler] = String(operation['operationId']).split('_') as [string, string];
  const controller = controllers.get(controllerName);
  if (!controller) throw new Error(`no controller ${controllerName} for an operation`);
  const method = (controller.prototype as Record<string, Type<unknown>>)[handler]!;
  const access = routeAccess([method, controller]);
  const responses = operation['responses'] as Record<string, Json>;
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400 && !response['content'])
      response['content'] = { 'application/json': { schema: schemaRef(ErrorBody) } };
  }
  const errors: Record<string, Json> = access.public
    ? {}
    : {
        401: { $ref: '#/components/responses/Unauthorized' },
        403: { $ref: '#/components/responses/Forbidden' },
      };
  const who = access.public ? 'No API key needed.' : `API key role: ${access.roles.join(' or ')}.`;
  return {
    ...operation,
    description: [operation['description'], who].filter(Boolean).join('\n\n'),
    security: access.public ? [] : [{ apiKey: [] }],
    ...(access.public ? {} : { 'x-baton-roles': access.roles }),
    responses: {
      ...errors,
      ...responses,
      '4XX': { $ref: '#/components/responses/ClientError' },
      '5XX': { $ref: '#/components/responses/ServerError' },
    },
  };
}

/** `x-baton-query: <class>` becomes one query parameter per property of the class. */
function expandQuery(operation: Json, schemas: Record<string, Json>): void {
  const name = operation[QUERY_EXTENSION] as string | undefined;
  if (!name) return;
  delete operation[QUERY_EXTENSION];
  const schema = schemas[name] as { properties?: Record<string, Json>; required?: string[] };
  const parameters = Object.entries(schema.properties ?? {}).map(([property, value]) => {
    const { description, ...rest } = value;
    return {
      name: property,
      in: 'query',
      required: schema.required?.includes(property) ?? false,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
  operation['parameters'] = [...((operation['parameters'] as Json[]) ?? []), ...parameters];
}

/** The component names the operations refer to: `$ref`s and `x-baton-query` classes. */
function referencedSchemas(paths: Record<string, Json>): string[] {
  const text = JSON.stringify(paths);
  const refs = [...text.matchAll(/"#\/components\/schemas\/([A-Za-z0-9_]+)"/g)];
  const queries = [...text.matchAll(new RegExp(`"${QUERY_EXTENSION}":"([A-Za-z0-9_]+)"`, 'g'))];
  return [...refs, ...queries].map((match) => match[1]!);
}

/**
 * The schemas of the named classes and of every class they refer to, generated from their
 * class-validator decorators.
 */
function schemasFor(roots: string[]): Record<string, Json> {
  const defs = contractDefinitions(COMPONENTS) as Record<string, Json>;
  const names = new Set<string>();
  for (const root of roots) {
    if (!defs[root])
      throw new Error(`no schema for ${root}: the API docs refer only to class-validator classes`);
    for (const name of reachableDefinitions(root, defs, COMPONENTS)) names.add(name);
  }
  return Object.fromEntries([...names].sort().map((name) => [name, defs[name]!]));
}

/**
 * The document of the services as they listen on their default ports, from preview apps (no
 * service running): what `npm run docs:generate` writes to docs/schemas/openapi.json.
 */
export async function servicesApiDocument(services: ApiService[]): Promise<Json> {
  const parts: ApiServicePart[] = [];
  try {
    for (const service of services)
      parts.push({
        service,
        app: await previewApp(service),
        url: `http://127.0.0.1:${service.defaultPort}`,
      });
    return openApiDocument(parts);
  } finally {
    await Promise.all(parts.map((part) => part.app.close()));
  }
}
