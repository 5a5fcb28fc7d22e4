import {
  metrics,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type Meter,
  type ObservableResult,
} from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

/** What `BATON_METRICS_PORT` adds to a service's default HTTP port: trigger 3000 → 9464. */
export const METRICS_PORT_OFFSET = 6464;

/**
 * The port a service serves `/metrics` on: the setting when given (0 turns metrics off), else
 * the service's default HTTP port + 6464 (trigger 9464 … escalation 9469, embedded 9464).
 */
export function metricsPort(setting: number, defaultHttpPort: number): number {
  return setting >= 0 ? setting : defaultHttpPort + METRICS_PORT_OFFSET;
}

/**
 * The Prometheus endpoint: its own HTTP server at `http://<host>:<port>/metrics`, no API key,
 * text exposition format. A port already taken is reported as a process warning (on stderr) and
 * leaves the service running without metrics.
 */
export function prometheusReader(port: number, host = '0.0.0.0'): PrometheusExporter {
  return new PrometheusExporter({ port, host, endpoint: '/metrics' }, (error) => {
    if (error)
      process.emitWarning(
        `/metrics is off: it could not listen on ${host}:${port} (${error.message})`,
      );
  });
}

/** Baton's instruments. Label values are bounded: names, kinds, outcomes, topics — never ids. */
export interface BatonMetrics {
  /** `baton.runs.started{workflow, version}` */
  runsStarted: Counter;
  /** `baton.runs.ended{workflow, version, outcome}` */
  runsEnded: Counter;
  /** `baton.step.duration{step.kind}`, seconds */
  stepDuration: Histogram;
  /** `baton.review.wait.duration{workflow}`, seconds from review opened to verdict */
  reviewWait: Histogram;
  /** `gen_ai.client.operation.duration{gen_ai.operation.name, gen_ai.request.model, …}`, s */
  genAiDuration: Histogram;
  /** `gen_ai.client.token.usage{gen_ai.token.type, gen_ai.request.model, …}`, tokens */
  genAiTokens: Histogram;
  /** `baton.messaging.messages.handled{messaging.destination.name}` */
  messagesHandled: Counter;
  /** `baton.messaging.messages.retried{messaging.destination.name}` */
  messagesRetried: Counter;
  /** `baton.messaging.messages.dead_lettered{messaging.destination.name}` */
  messagesDeadLettered: Counter;
}

export const METRIC_NAMES = {
  runsStarted: 'baton.runs.started',
  runsEnded: 'baton.runs.ended',
  stepDuration: 'baton.step.duration',
  reviewWait: 'baton.review.wait.duration',
  genAiDuration: 'gen_ai.client.operation.duration',
  genAiTokens: 'gen_ai.client.token.usage',
  messagesHandled: 'baton.messaging.messages.handled',
  messagesRetried: 'baton.messaging.messages.retried',
  messagesDeadLettered: 'baton.messaging.messages.dead_lettered',
  handlersInFlight: 'baton.messaging.handlers.in_flight',
  handlersLimit: 'baton.messaging.handlers.limit',
  consumerLag: 'baton.messaging.consumer.lag',
  outboxPending: 'baton.outbox.pending',
} as const;

let instruments: BatonMetrics | undefined;
let meterSeen: Meter | undefined;

/**
 * The instruments, made from the global meter provider. Made on first use (after
 * startTelemetry registered the provider), so a module can hold `batonMetrics` without caring
 * about start order; without telemetry they are no-ops.
 */
export function batonMetrics(): BatonMetrics {
  const meter = metrics.getMeter('baton');
  if (instruments && meter === meterSeen) return instruments;
  meterSeen = meter;
  instruments = {
    runsStarted: meter.createCounter(METRIC_NAMES.runsStarted, {
      description: 'Runs started, by workflow and version',
      unit: '{run}',
    }),
    runsEnded: meter.createCounter(METRIC_NAMES.runsEnded, {
      description: 'Runs that reached an outcome, by workflow, version and outcome',
      unit: '{run}',
    }),
    stepDuration: meter.createHistogram(METRIC_NAMES.stepDuration, {
      description: 'Time a step took, by step kind',
      unit: 's',
    }),
    reviewWait: meter.createHistogram(METRIC_NAMES.reviewWait, {
      description: 'Time a run waited for a person, from review opened to verdict',
      unit: 's',
    }),
    genAiDuration: meter.createHistogram(METRIC_NAMES.genAiDuration, {
      description: 'GenAI operation duration',
      unit: 's',
    }),
    genAiTokens: meter.createHistogram(METRIC_NAMES.genAiTokens, {
      description: 'Number of input and output tokens used',
      unit: '{token}',
    }),
    messagesHandled: meter.createCounter(METRIC_NAMES.messagesHandled, {
      description: 'Messages a handler processed (committed), by topic',
      unit: '{message}',
    }),
    messagesRetried: meter.createCounter(METRIC_NAMES.messagesRetried, {
      description: 'Handler attempts that failed and were retried, by topic',
      unit: '{attempt}',
    }),
    messagesDeadLettered: meter.createCounter(METRIC_NAMES.messagesDeadLettered, {
      description: 'Messages moved to a dead-letter topic, by source topic',
      unit: '{message}',
    }),
  };
  return instruments;
}

/** The topic label of the messaging counters (OTel messaging semantic conventions). */
export function topicAttributes(topic: string): Attributes {
  return { 'messaging.destination.name': topic };
}

/** One consumer's state at a scrape. */
export interface ConsumerReading {
  inFlight: number;
  limit: number;
  /** Per assigned partition: records behind the partition's end at its last fetched batch. */
  lag: Array<{ topic: string; partition: number; lag: number }>;
}

/**
 * Reports a consumer's in-flight handlers against their limit, and its lag per partition, read when Prometheus scrapes. `read` is
 * called per scrape and must be cheap. The returned function stops reporting (at close).
 */
export function observeConsumer(consumer: string, read: () => ConsumerReading): () => void {
  const meter = metrics.getMeter('baton');
  const inFlight = meter.createObservableGauge(METRIC_NAMES.handlersInFlight, {
    description: 'Handlers running now, by consumer group',
    unit: '{handler}',
  });
  const limit = meter.createObservableGauge(METRIC_NAMES.handlersLimit, {
    description: 'Most handlers that may run at once, by consumer group',
    unit: '{handler}',
  });
  const lag = meter.createObservableGauge(METRIC_NAMES.consumerLag, {
    description: 'Records behind the end of the partition, by consumer group, topic and partition',
    unit: '{message}',
  });
  const callback = (result: BatchObservableResult): void => {
    const now = read();
    const group = { 'messaging.consumer.group.name': consumer };
    result.observe(inFlight, now.inFlight, group);
    result.observe(limit, now.limit, group);
    for (const partition of now.lag)
      result.observe(lag, partition.lag, {
        ...group,
        'messaging.destination.name': partition.topic,
        'messaging.destination.partition.id': String(partition.partition),
      });
  };
  meter.addBatchObservableCallback(callback, [inFlight, limit, lag]);
  return () => meter.removeBatchObservableCallback(callback, [inFlight, limit, lag]);
}

/**
 * Reports the outbox backlog (rows written and not yet published and cleared), read when
 * Prometheus scrapes: `count` is one query of the service's own outbox table. A failed read
 * reports nothing for that scrape. The returned function stops reporting.
 */
export function observeOutbox(consumer: string, count: () => Promise<number>): () => void {
  const meter = metrics.getMeter('baton');
  const pending = meter.createObservableGauge(METRIC_NAMES.outboxPending, {
    description: 'Outbox rows not yet published and cleared, by service',
    unit: '{row}',
  });
  const callback = async (result: ObservableResult): Promise<void> => {
    const rows = await count().catch(() => undefined);
    if (rows !== undefined) result.observe(rows, { 'messaging.consumer.group.name': consumer });
  };
  pending.addCallback(callback);
  return () => pending.removeCallback(callback);
}
