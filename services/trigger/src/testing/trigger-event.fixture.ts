import { bearer } from '@baton/testing';

/** A billing-dispute trigger event (contract v1) with this idempotency key; `overrides` replace fields. */
export const aTriggerEvent = (key: string, overrides: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  idempotencyKey: key,
  workflowId: 'billing-dispute',
  tenantId: 'acme',
  eventType: 'support.ticket.created',
  data: { customerId: 'cus_1001', message: 'Charged twice in November' },
  ...overrides,
});

/** `POST /v1/triggers` on the trigger service at `url`, with a publisher key. */
export const postTrigger = (url: string, body: unknown) =>
  fetch(`${url}/v1/triggers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer('publisher') },
    body: JSON.stringify(body),
  });
