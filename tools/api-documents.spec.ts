import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  RecordSigner,
  SIGNATURE_HEADER,
  aDecisionEnvelope,
  allTopics,
  topicNames,
} from '@baton/contracts';
import { Routes, encodeWithTrace } from '@baton/messaging';
import {
  API_SCHEMA_FILES,
  answerSchema,
  httpRoutes,
  routeAccess,
  serviceControllers,
} from '@baton/service-kit';
import {
  ASYNCAPI_FILE,
  OPENAPI_FILE,
  SERVICES,
  asyncApiDocumentOfTopics,
  openApiDocumentOfServices,
} from './api-documents.js';

type Json = Record<string, unknown>;
type Operation = {
  security: unknown[];
  responses: Record<string, { $ref?: string; content?: Json }>;
};

const committed = (file: string) =>
  JSON.parse(readFileSync(new URL(`../docs/schemas/${file}`, import.meta.url), 'utf8')) as Json;

describe('the OpenAPI document', async () => {
  const document = await openApiDocumentOfServices();
  const paths = document['paths'] as Record<
    string,
    Record<string, Operation> & { servers: Json[] }
  >;

  it('matches docs/schemas/openapi.json (run `npm run docs:generate` after changing an endpoint)', () => {
    expect(committed(OPENAPI_FILE)).toEqual(document);
  });

  it('is valid OpenAPI 3.1, with the schema files it refers to beside it', async () => {
    // As docs/schemas/ holds them: the document, and the schema files its $refs name.
    const folder = mkdtempSync(join(tmpdir(), 'baton-openapi-'));
    writeFileSync(join(folder, OPENAPI_FILE), JSON.stringify(document));
    for (const [file, schema] of Object.entries(API_SCHEMA_FILES))
      writeFileSync(join(folder, file), JSON.stringify(schema()));
    const result = await validate(join(folder, OPENAPI_FILE));
    expect(result, JSON.stringify(result)).toMatchObject({ valid: true, specification: 'OpenAPI' });
    expect(document['openapi']).toBe('3.1.0');
  });

  it("has every HTTP route of every service's controllers, served by that service, with who may call it", () => {
    for (const service of SERVICES) {
      const routes = httpRoutes(serviceControllers(service));
      // Health at least: a service without routes would mean the scan found nothing.
      expect(routes.length, service.name).toBeGreaterThanOrEqual(2);
      for (const route of routes) {
        const name = `${route.method.toUpperCase()} ${route.path}`;
        const operation = paths[route.path]?.[route.method];
        expect(operation, name).toBeDefined();
        expect(paths[route.path]!.servers, name).toContainEqual(
          expect.objectContaining({ url: `http://127.0.0.1:${service.defaultPort}` }),
        );
        const handler = (route.controller.prototype as Record<string, () => unknown>)[
          route.handler
        ]!;
        const access = routeAccess([handler, route.controller]);
        expect(operation!.security, name).toEqual(access.public ? [] : [{ apiKey: [] }]);
      }
    }
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => key !== 'servers')
        .map((method) => `${method} ${path}`),
    );
    const routed = SERVICES.flatMap((service) =>
      httpRoutes(serviceControllers(service)).map((route) => `${route.method} ${route.path}`),
    );
    expect(new Set(documented)).toEqual(new Set(routed));
  });

  it('answers every error with the one ErrorBody, 401 and 403 included', () => {
    const responses = (document['components'] as { responses: Record<string, Json> }).responses;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === 'servers') continue;
        const errors = Object.entries((operation as Operation).responses).filter(
          ([status]) => status.startsWith('4') || status.startsWith('5'),
        );
        expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['4XX', '5XX']));
        for (const [status, response] of errors) {
          const resolved = response.$ref
            ? responses[response.$ref.replace('#/components/responses/', '')]!
            : response;
          const schema = JSON.stringify((resolved['content'] as Json)['application/json']);
          // The readiness probe's 503 is an answer for probes, not an error (docs/http-api.md).
          if (path === '/health/ready' && status === '503') continue;
          expect(schema, `${method} ${path} ${status}`).toBe(
            JSON.stringify({ schema: { $ref: '#/components/schemas/ErrorBody' } }),
          );
        }
      }
    }
    expect(paths['/v1/runs']!['get']!.responses['401']).toEqual({
      $ref: '#/components/responses/Unauthorized',
    });
  });

  it('gives every operation a success answer with a schema, generated from the class the controller returns', () => {
    const schemas = (document['components'] as { schemas: Record<string, Json> }).schemas;
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === 'servers') continue;
        const name = `${method.toUpperCase()} ${path}`;
        const successes = Object.entries((operation as Operation).responses).filter(([status]) =>
          status.startsWith('2'),
        );
        expect(successes.length, name).toBeGreaterThan(0);
        for (const [status, response] of successes) {
          // A 204 has no body to describe; every other success answers JSON.
          if (status === '204') continue;
          const schema = (response.content?.['application/json'] as { schema?: Json })?.schema;
          expect(schema, `${name} ${status}`).toBeDefined();
          // A component (a class), or a choice of components: never an inline, hand-written shape.
          const refs = JSON.stringify(schema).match(/#\/components\/schemas\/[A-Za-z0-9_]+/g);
          expect(refs, `${name} ${status}`).not.toBeNull();
          for (const ref of refs!) {
            const component = schemas[ref.replace('#/components/schemas/', '')];
            expect(component, `${name} ${status}: ${ref}`).toBeDefined();
            expect(component!['properties'], `${name} ${status}: ${ref}`).toBeDefined();
          }
        }
      }
    }
  });

  it('holds an answer against its documented schema: one missing a field, of a wrong type or with an unnamed field fails', () => {
    const ajv = new Ajv2020.default({ strict: false, validateFormats: false });
    const check = (status: number, body: unknown) => {
      const schema = answerSchema(document, 'get', '/health/live', status, { closed: true });
      return ajv.compile(schema!)(body);
    };
    expect(check(200, { status: 'ok', service: 'trigger', version: '0.1.0' })).toBe(true);
    expect(check(200, { status: 'ok', service: 'trigger' })).toBe(false);
    expect(check(200, { status: 'ok', service: 'trigger', version: 1 })).toBe(false);
    expect(check(200, { status: 'ok', service: 'trigger', version: '0.1.0', extra: 1 })).toBe(
      false,
    );
    expect(answerSchema(document, 'get', '/health/live', 404)).toBeUndefined();
  });

  it('takes request schemas from the class-validator classes: the trigger event as its schema file has it', () => {
    const schemas = (document['components'] as { schemas: Record<string, Json> }).schemas;
    const triggerFile = committed('trigger-event.v1.schema.json');
    expect(schemas['TriggerEvent']!['properties']).toEqual(triggerFile['properties']);
    expect(schemas['TriggerEvent']!['required']).toEqual(triggerFile['required']);
  });
});

describe('the AsyncAPI document', () => {
  const document = asyncApiDocumentOfTopics();
  const channels = Object.values(document['channels'] as Record<string, Json>);

  it('matches docs/schemas/asyncapi.json (run `npm run docs:generate` after changing a topic or contract)', () => {
    expect(committed(ASYNCAPI_FILE)).toEqual(document);
  });

  it('is valid AsyncAPI 3.0, without errors or warnings', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    // Severity 0 is an error, 1 a warning (2 and 3 are hints, such as "3.1.0 exists").
    const problems = diagnostics.filter((d) => d.severity <= 1);
    expect(problems.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
  }, 30_000);

  it('has every topic of the registry, dead-letter topics included, and only those', () => {
    const topics = allTopics(topicNames());
    expect(topics.some((topic) => topic.endsWith('.dlq'))).toBe(true);
    expect(new Set(channels.map((channel) => channel['address']))).toEqual(new Set(topics));
  });

  it('describes a step envelope as the messaging layer sends it: key, headers and value', () => {
    const route = new Routes().step('decision');
    const record = encodeWithTrace(route, aDecisionEnvelope());
    const headers = {
      ...record.headers,
      [SIGNATURE_HEADER]: new RecordSigner(['k'.repeat(32)]).sign(record),
    };
    const channel = channels.find((c) => c['address'] === route.topic)!;
    const messageName = Object.keys(channel['messages'] as Json)[0]!;
    const message = (document['components'] as { messages: Record<string, Json> }).messages[
      messageName
    ]!;
    const components = { components: document['components'] };
    // Formats (date-time) are the contract classes' to check, not this test's.
    const ajv = new Ajv2020.default({ strict: false, validateFormats: false });
    const check = (schema: unknown, value: unknown) => {
      const valid = ajv.compile({ ...components, ...(schema as Json) });
      expect(valid(value), JSON.stringify(valid.errors)).toBe(true);
    };
    check(message['headers'], headers);
    check((message['bindings'] as { kafka: { key: Json } }).kafka.key, record.key);
    check(message['payload'], JSON.parse(record.value));
    // Every header it sends is documented.
    const documented = Object.keys((message['headers'] as { properties: Json }).properties);
    expect(documented).toEqual(expect.arrayContaining(Object.keys(headers)));
  });
});
