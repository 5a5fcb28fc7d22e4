import { readFileSync } from 'node:fs';
import { parseWorkflow, type WorkflowDefinition } from '@baton/workflow';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { deploymentProblems } from './deployment-problems.js';
import { SecretStore } from './secret-store.js';

const billing = parseYaml(
  readFileSync(
    new URL('../../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as { tools: unknown[]; context: { sources: unknown[] } };

function withHttp(): WorkflowDefinition {
  const loaded = parseWorkflow(
    JSON.stringify({
      ...billing,
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
          description: 'Post a note to the help desk.',
          requiredArgs: [],
          method: 'POST',
          url: 'https://helpdesk.acme.example/api/notes',
          headers: { authorization: 'Bearer {{ secret.helpdesk-token }}' },
        },
      ],
    }),
    { format: 'json' },
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  return loaded.workflow;
}

describe(deploymentProblems.name, () => {
  const workflow = withHttp();
  const tools = workflow.tools.length - 1;
  const sources = workflow.context.sources.length - 1;

  it('finds nothing when every host is allowed and every secret is set', () => {
    const secrets = new SecretStore(
      { BATON_SECRET_CRM_TOKEN: 'a', BATON_SECRET_HELPDESK_TOKEN: 'b' },
      '',
    );
    expect(
      deploymentProblems(workflow, {
        allowedHosts: ['*.crm.example', 'helpdesk.acme.example'],
        endpoints: [],
        secrets,
      }),
    ).toEqual([]);
  });

  it('names each host outside the allow-list and each secret the deployment lacks, never a value', () => {
    const secrets = new SecretStore({ BATON_SECRET_CRM_TOKEN: 'a' }, '');
    expect(
      deploymentProblems(workflow, { allowedHosts: ['*.crm.example'], endpoints: [], secrets }),
    ).toEqual([
      {
        path: `tools.${tools}.url`,
        message: 'host helpdesk.acme.example is not in BATON_OUTBOUND_ALLOWED_HOSTS',
      },
      {
        path: `tools.${tools}.headers`,
        message:
          'secret "helpdesk-token" is not set in this deployment (BATON_SECRET_HELPDESK_TOKEN (BATON_SECRETS_DIR is not set))',
      },
    ]);
    expect(
      deploymentProblems(workflow, { allowedHosts: [], endpoints: [], secrets }),
    ).toContainEqual({
      path: `context.sources.${sources}.url`,
      message:
        'host eu.crm.example is not allowed: BATON_OUTBOUND_ALLOWED_HOSTS is empty (no outbound HTTP)',
    });
  });

  it("refuses an endpoint the deployment does not name, and checks a named one's host", () => {
    const loaded = parseWorkflow(
      JSON.stringify({
        ...billing,
        tools: [
          ...billing.tools,
          {
            name: 'post-note',
            access: 'write',
            kind: 'http',
            description: 'Post a note to the help desk.',
            requiredArgs: [],
            method: 'POST',
            url: '{{ endpoint.helpdesk }}/api/notes/{{ args.ticketId }}',
          },
        ],
      }),
      { format: 'json' },
    );
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const secrets = new SecretStore({}, '');
    const at = `tools.${loaded.workflow.tools.length - 1}.url`;
    const check = (endpoints: string[], allowedHosts: string[]) =>
      deploymentProblems(loaded.workflow, { allowedHosts, endpoints, secrets });
    expect(check([], ['helpdesk.acme.example'])).toEqual([
      {
        path: at,
        message: 'endpoint "helpdesk" is not set in this deployment (BATON_ENDPOINTS)',
      },
    ]);
    expect(check(['helpdesk=https://helpdesk.acme.example/v2/'], [])).toEqual([
      {
        path: at,
        message:
          'host helpdesk.acme.example is not allowed: BATON_OUTBOUND_ALLOWED_HOSTS is empty (no outbound HTTP)',
      },
    ]);
    expect(
      check(['helpdesk=https://helpdesk.acme.example/v2/'], ['helpdesk.acme.example']),
    ).toEqual([]);
  });
});
