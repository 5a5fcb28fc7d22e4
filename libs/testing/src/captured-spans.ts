import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, context, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';

/**
 * Every span this process finishes, in memory, for a test that asserts on traces: `install`
 * (before the service starts) makes it the global tracer provider, with a context manager so
 * active spans follow async work; `uninstall` in afterAll.
 */
export class CapturedSpans {
  private readonly exporter = new InMemorySpanExporter();
  private readonly provider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: this.exporter })],
  });

  install(): void {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(this.provider);
  }

  async uninstall(): Promise<void> {
    trace.disable();
    context.disable();
    await this.provider.shutdown();
  }

  get finished(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  reset(): void {
    this.exporter.reset();
  }
}

/**
 * A run's trace as the step before left it: a remote parent context, and the same as the
 * envelope's `traceparent`. Publish under `context` so the message headers carry it too.
 */
export function aRunTrace(): { traceId: string; traceparent: string; context: Context } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return {
    traceId,
    traceparent: `00-${traceId}-${spanId}-01`,
    context: trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    }),
  };
}
