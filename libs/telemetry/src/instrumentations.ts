import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/** Paths probed by machines every few seconds, and OTLP receivers' own: no span for them. */
const UNTRACED_PATHS = /^\/(metrics|health|ready|live|v1\/traces|v1\/metrics|v1\/logs)(\/|\?|$)/;

/**
 * The instrumentation packages every service runs (docs/sre.md):
 * - HTTP server spans (`GET /v1/runs/:id`-style names once Nest sets the route); the query
 *   string is dropped (`url.query` never set), bodies are never recorded. Outgoing HTTP is not
 *   instrumented: model calls have their own `chat {model}` span, and a client URL may carry
 *   a customer's query.
 * - Postgres spans with the statement text only (TypeORM sends placeholders, `$1`), never the
 *   parameter values (`enhancedDatabaseReporting` off), and only inside a traced operation
 *   (`requireParentSpan`): the outbox relay's idle polls make no traces of their own.
 */
export function tracingInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      disableOutgoingRequestInstrumentation: true,
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
      // Hook attributes are applied last: this unsets the query the instrumentation read.
      startIncomingSpanHook: () => ({ 'url.query': undefined }),
    }),
    new PgInstrumentation({
      enhancedDatabaseReporting: false,
      requireParentSpan: true,
      ignoreConnectSpans: true,
    }),
  ];
}

/**
 * ESM services import `node:http` (through Nest and Express) before telemetry starts; a
 * `require` after the instrumentations are enabled patches the shared module object.
 */
export function patchPreloadedModules(): void {
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
}

/**
 * `service.instance.id` (one per process: two replicas of a service tell apart in Jaeger) and
 * `deployment.environment.name`, for every service's resource.
 */
export function instanceAttributes(environment = 'development'): Record<string, string> {
  return {
    'service.instance.id': randomUUID(),
    'deployment.environment.name': environment,
  };
}
