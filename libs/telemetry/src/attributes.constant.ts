/** Span attributes Baton sets on every step span, so SREs can search runs in Jaeger. */
export const BATON_ATTR = {
  runId: 'baton.run_id',
  workflowId: 'baton.workflow.id',
  workflowVersion: 'baton.workflow.version',
  stepName: 'baton.step.name',
  stepKind: 'baton.step.kind',
  stepSeq: 'baton.step.seq',
  stepAttempt: 'baton.step.attempt',
  envelopeId: 'baton.envelope_id',
  tenantId: 'baton.tenant_id',
} as const;

/** OpenTelemetry messaging semantic conventions (v1.x) used on produce and consume spans. */
export const MESSAGING_ATTR = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  partition: 'messaging.destination.partition.id',
  consumerGroup: 'messaging.consumer.group.name',
  messageId: 'messaging.message.id',
  kafkaKey: 'messaging.kafka.message.key',
  kafkaOffset: 'messaging.kafka.offset',
  bodySize: 'messaging.message.body.size',
} as const;
