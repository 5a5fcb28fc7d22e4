import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import { expectEventually, testApiKeysSetting, writeWorkflows } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLettersOf, sendToIngress } from './testing/ingress.fixture.js';
import { aTriggerEvent, postTrigger } from './testing/trigger-event.fixture.js';
import { triggerService } from './trigger.service-definition.js';

const billing = parseYaml(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown> & { trigger: Record<string, unknown> };

// One dispute per customer and invoice a week, whichever channel and key it comes with.
const withDedup = (id: string, duplicates: 'join' | 'refuse') => ({
  ...billing,
  id,
  trigger: {
    ...billing.trigger,
    dedup: {
      key: "trigger.data.customerId.normalize() + '/' + trigger.data.invoiceId.normalize()",
      window: '7d',
      duplicates,
    },
  },
});

describe('business-level de-duplication of trigger events (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  const post = (body: unknown) => postTrigger(service.running.url, body);
  const runsOf = async (workflowId: string, tenantId: string) =>
    (await service.dataSource.query(
      'SELECT id, dedup_key FROM runs WHERE workflow_id = $1 AND tenant_id = $2',
      [workflowId, tenantId],
    )) as Array<{ id: string; dedup_key: string | null }>;
  let tenant = 0;
  const event = (
    workflowId: string,
    key: string,
    data: Record<string, unknown>,
    tenantId: string,
  ) => aTriggerEvent(key, { workflowId, tenantId, data });
  const dispute = { customerId: 'cus_1001', invoiceId: 'inv_2001', message: 'Charged twice' };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      workflowsDir: writeWorkflows([
        withDedup('dedup-join', 'join'),
        withDedup('dedup-refuse', 'refuse'),
      ]),
      env: { BATON_API_KEYS: testApiKeysSetting(), LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error' },
    });
  });
  afterAll(async () => {
    await service?.close();
  });
  const newTenant = () => `dedup-${process.pid}-${(tenant += 1)}`;

  it('joins a second event about the same entity under a new key to the earlier run', async () => {
    const tenantId = newTenant();
    const first = await post(event('dedup-join', 'web-1', dispute, tenantId));
    expect(first.status).toBe(202);
    const { runId } = (await first.json()) as { runId: string };
    // The same dispute from the help desk: another key, other spacing and case.
    const again = await post(
      event(
        'dedup-join',
        'desk-9',
        { ...dispute, customerId: ' CUS_1001 ', message: 'twice!' },
        tenantId,
      ),
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ runId, duplicate: true, joined: true });
    expect(await runsOf('dedup-join', tenantId)).toEqual([
      { id: runId, dedup_key: createHash('sha256').update('cus_1001/inv_2001').digest('hex') },
    ]);
    // Another invoice is another business event.
    const other = await post(
      event('dedup-join', 'web-2', { ...dispute, invoiceId: 'inv_2002' }, tenantId),
    );
    expect(other.status).toBe(202);
    expect(await runsOf('dedup-join', tenantId)).toHaveLength(2);
  });

  it('refuses it with 409 duplicate-event naming the earlier run, when the workflow says so', async () => {
    const tenantId = newTenant();
    const first = await post(event('dedup-refuse', 'r-1', dispute, tenantId));
    const { runId } = (await first.json()) as { runId: string };
    const again = await post(event('dedup-refuse', 'r-2', dispute, tenantId));
    expect(again.status).toBe(409);
    const body = (await again.json()) as { error: string; message: string };
    expect(body.error).toBe('duplicate-event');
    expect(body.message).toContain(`run ${runId}`);
    expect(await runsOf('dedup-refuse', tenantId)).toHaveLength(1);
  });

  it('starts exactly one run when ten events about one entity arrive at once', async () => {
    const tenantId = newTenant();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(event('dedup-join', `burst-${i}`, dispute, tenantId)),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    const runIds = new Set(
      await Promise.all(
        answers.map(async (answer) => ((await answer.json()) as { runId: string }).runId),
      ),
    );
    expect(runIds.size).toBe(1);
    expect(await runsOf('dedup-join', tenantId)).toHaveLength(1);
  });

  it('dead-letters a refused duplicate arriving on the ingress topic, with the reason', async () => {
    const tenantId = newTenant();
    const deadLetters = await deadLettersOf(service);
    await post(event('dedup-refuse', 'k-1', dispute, tenantId));
    const duplicate = event('dedup-refuse', 'k-2', dispute, tenantId);
    await sendToIngress(service, duplicate);
    const letter = await expectEventually(() => {
      const found = deadLetters().find((record) => record.key === `${tenantId}:k-2`);
      expect(found).toBeDefined();
      return found!;
    });
    expect(letter.headers['baton-dlq-reason']).toBe('handler-rejected');
    expect(letter.headers['baton-dlq-errors']).toContain('duplicate-event');
    expect(await runsOf('dedup-refuse', tenantId)).toHaveLength(1);
  });

  it('starts a new run for an event whose earlier run failed or was cancelled, and takes a key of any length', async () => {
    const tenantId = newTenant();
    const first = await post(event('dedup-join', 'f-1', dispute, tenantId));
    const { runId } = (await first.json()) as { runId: string };
    await service.dataSource.query(`UPDATE runs SET status = 'failed' WHERE id = $1`, [runId]);
    const again = await post(event('dedup-join', 'f-2', dispute, tenantId));
    expect(again.status).toBe(202);
    expect(((await again.json()) as { runId: string }).runId).not.toBe(runId);

    const long = { ...dispute, invoiceId: 'inv_'.padEnd(10_000, 'x') };
    expect((await post(event('dedup-join', 'l-1', long, tenantId))).status).toBe(202);
    const joined = await post(event('dedup-join', 'l-2', long, tenantId));
    expect(await joined.json()).toMatchObject({ joined: true });
  });
});
