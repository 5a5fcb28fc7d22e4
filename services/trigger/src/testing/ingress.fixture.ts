import { deadLetterTopic } from '@baton/contracts';
import type { InboundRecord } from '@baton/messaging';
import type { InProcessService } from '@baton/service-kit/testing';

let readers = 0;

/**
 * Sends records to the trigger's ingress topic as an event producer would: keyed
 * `<tenant>:<idempotency key>`, one key in order. A string is sent as it is (not JSON-encoded).
 */
export async function sendToIngress(
  service: InProcessService,
  ...events: Array<{ tenantId?: unknown; idempotencyKey?: unknown } | string>
): Promise<void> {
  await service.transport.publish(
    events.map((event) => ({
      topic: service.names.triggerIngress,
      key:
        typeof event === 'string'
          ? null
          : `${String(event.tenantId)}:${String(event.idempotencyKey)}`,
      value: typeof event === 'string' ? event : JSON.stringify(event),
      headers: {},
    })),
  );
}

/**
 * The dead letters of `topic` (the ingress topic by default) since the service started, with
 * their keys and the `baton-dlq-*` headers that say why, as a live view.
 */
export async function deadLettersOf(
  service: InProcessService,
  topic = service.names.triggerIngress,
): Promise<() => InboundRecord[]> {
  const seen: InboundRecord[] = [];
  await service.transport.subscribe({
    groupId: `dead-letters-${++readers}`,
    topics: [deadLetterTopic(topic)],
    concurrency: 1,
    handler: async (record) => {
      seen.push(record);
    },
  });
  return () => [...seen];
}
