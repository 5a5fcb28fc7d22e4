import {
  context,
  propagation,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

type Headers = Record<string, string>;

const setter: TextMapSetter<Headers> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};
const getter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** Writes the W3C trace context of `ctx` (default: the active one) into message headers. */
export function injectTraceHeaders(headers: Headers, ctx: Context = context.active()): Headers {
  propagation.inject(ctx, headers, setter);
  return headers;
}

/**
 * The context a consumed message continues: its headers first, else the `traceparent` the
 * envelope carries (a producer that dropped headers still keeps the run in one trace).
 */
export function extractTraceContext(headers: Headers, fallbackTraceparent?: string): Context {
  const carrier =
    headers['traceparent'] || !fallbackTraceparent ? headers : { traceparent: fallbackTraceparent };
  return propagation.extract(context.active(), carrier, getter);
}

/** The `traceparent` of the active span, for envelopes. */
export function currentTraceparent(): string | undefined {
  const headers: Headers = {};
  injectTraceHeaders(headers);
  return headers['traceparent'];
}

export function activeTraceIds(): { trace_id: string; span_id: string } | Record<string, never> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
