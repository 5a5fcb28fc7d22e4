import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  instanceAttributes,
  patchPreloadedModules,
  tracingInstrumentations,
} from './instrumentations.js';
import { prometheusReader } from './metrics.js';

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  /** OTLP/HTTP base URL (`http://jaeger:4318`); without it spans get ids but are not exported. */
  otlpEndpoint?: string;
  /** `http/protobuf` (default, what Jaeger and collectors expect) or `http/json`. */
  otlpProtocol?: 'http/protobuf' | 'http/json';
  /** `deployment.environment.name` on the resource (BATON_ENVIRONMENT). */
  environment?: string;
  /** How long spans wait in the batch before export. */
  exportDelayMs?: number;
  /** Port of the Prometheus `/metrics` endpoint (see metrics.ts); 0 or absent: no metrics. */
  metricsPort?: number;
  /** Interface the `/metrics` endpoint binds to. */
  metricsHost?: string;
}

export interface Telemetry {
  readonly exporting: boolean;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry for this process. Call it before Nest (or anything traced) starts.
 * Reads the standard variables when options are not given: OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_PROTOCOL.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const endpoint =
    options.otlpEndpoint ??
    process.env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ??
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const protocol =
    options.otlpProtocol ??
    ((process.env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ??
      process.env['OTEL_EXPORTER_OTLP_PROTOCOL']) as
      TelemetryOptions['otlpProtocol'] | undefined) ??
    'http/protobuf';

  let processor: SpanProcessor;
  if (endpoint) {
    const url = endpoint.endsWith('/v1/traces')
      ? endpoint
      : `${endpoint.replace(/\/$/, '')}/v1/traces`;
    const exporter =
      protocol === 'http/json' ? new OtlpHttpJsonExporter({ url }) : new OtlpProtoExporter({ url });
    processor = new BatchSpanProcessor({
      exporter,
      scheduledDelayMillis: options.exportDelayMs ?? 1000,
      maxExportBatchSize: 512,
    });
  } else {
    // Spans still get ids, so trace context propagates and logs carry trace ids.
    processor = new NoopSpanProcessor();
  }

  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    resource: resourceFromAttributes({
      'service.version': options.serviceVersion,
      ...instanceAttributes(options.environment),
    }),
    spanProcessors: [processor],
    metricReaders: options.metricsPort
      ? [prometheusReader(options.metricsPort, options.metricsHost)]
      : [],
    logRecordProcessors: [],
    instrumentations: tracingInstrumentations(),
    autoDetectResources: false,
  });
  sdk.start();
  patchPreloadedModules();
  return {
    exporting: Boolean(endpoint),
    flush: () => processor.forceFlush(),
    shutdown: () => sdk.shutdown(),
  };
}
