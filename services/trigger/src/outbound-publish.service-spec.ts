import { readFileSync } from 'node:fs';
import { startServiceInProcess, type InProcessService } from '@baton/service-kit/testing';
import { bearer, testApiKeysSetting } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { triggerService } from './trigger.service-definition.js';

const SECRET = 'crm-token-value-5e1d7b';

/**
 * What a definition asks of the deployment is checked when it is published: an http tool or
 * source on a host outside BATON_OUTBOUND_ALLOWED_HOSTS, or naming a secret the deployment does
 * not have, is refused then, not at its first run; a secret's value is never in an answer.
 */
describe('publishing workflows with HTTP tools (in-process transport, real Postgres)', () => {
  let service: InProcessService;
  const billing = parse(
    readFileSync(
      new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
      'utf8',
    ),
  ) as { version: number; tools: unknown[]; context: { sources: unknown[] } };

  beforeAll(async () => {
    service = await startServiceInProcess(triggerService, {
      env: {
        BATON_API_KEYS: testApiKeysSetting(),
        BATON_OUTBOUND_ALLOWED_HOSTS: 'helpdesk.acme.example,*.crm.example',
        BATON_SECRET_CRM_TOKEN: SECRET,
      },
    });
  }, 120_000);
  afterAll(() => service?.close());

  /** billing-dispute as `version`, with one http tool and one http source. */
  const definition = (version: number, tool: { url: string; token: string }) =>
    stringify({
      ...billing,
      version,
      context: {
        sources: [
          ...billing.context.sources,
          {
            name: 'crm',
            kind: 'http',
            url: 'https://eu.crm.example/customers/{{ trigger.data.customerId }}',
            headers: { authorization: 'Bearer {{ secret.crm-token }}' },
            timeoutMs: 2000,
            required: false,
          },
        ],
      },
      tools: [
        ...billing.tools,
        {
          name: 'post-note',
          access: 'write',
          kind: 'http',
          description: 'Post a note on the ticket.',
          requiredArgs: [],
          method: 'POST',
          url: tool.url,
          headers: { authorization: `Bearer {{ secret.${tool.token} }}` },
          body: { customerId: '{{ args.customerId }}' },
        },
      ],
    });
  const publish = async (body: string) => {
    const response = await fetch(`${service.running.url}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', ...bearer('admin') },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const tool = billing.tools.length;

  it('publishes one whose hosts are allowed and whose secrets are set, and never shows a value', async () => {
    const published = await publish(
      definition(201, { url: 'https://helpdesk.acme.example/api/notes', token: 'crm-token' }),
    );
    expect(published.status).toBe(201);
    const listed = await fetch(`${service.running.url}/v1/workflows`, {
      headers: bearer('admin'),
    }).then((r) => r.text());
    expect(listed).toContain('billing-dispute');
    expect(published.text + listed).not.toContain(SECRET);
  });

  it('refuses a host outside BATON_OUTBOUND_ALLOWED_HOSTS, naming it', async () => {
    const refused = await publish(
      definition(202, { url: 'https://evil.example/api/notes', token: 'crm-token' }),
    );
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.text)).toMatchObject({
      error: 'invalid-definition',
      problems: [`tools.${tool}.url: host evil.example is not in BATON_OUTBOUND_ALLOWED_HOSTS`],
    });
  });

  it('refuses a secret the deployment does not have, naming where it would be', async () => {
    const refused = await publish(
      definition(203, { url: 'https://helpdesk.acme.example/api/notes', token: 'helpdesk-token' }),
    );
    expect(refused.status).toBe(422);
    expect(JSON.parse(refused.text)).toMatchObject({
      problems: [
        `tools.${tool}.headers: secret "helpdesk-token" is not set in this deployment (BATON_SECRET_HELPDESK_TOKEN (BATON_SECRETS_DIR is not set))`,
      ],
    });
  });
});
