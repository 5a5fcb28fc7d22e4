import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  McpTestServer,
  REPO_ROOT,
  ScriptedOpenAI,
  TEST_KEYS,
  dropSchema,
  expectEventually,
  stablePortRange,
  serviceTestEnvironment,
  testApiKeysSetting,
  testKafkaBrokers,
  testSigningKey,
  writeWorkflows,
} from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_DEFINITIONS, startEmbeddedBaton, type EmbeddedBaton } from './embedded-baton.js';

interface RunView {
  status: string;
  reason: string | null;
  steps: Array<{ kind: string; outcome: string; output?: Record<string, unknown> }>;
}

const MEMORY_SERVER = join(
  REPO_ROOT,
  'node_modules/@modelcontextprotocol/server-memory/dist/index.js',
);

/** A workflow with two granted MCP tools (one per transport) and an MCP context source. */
function mcpWorkflow(): Record<string, unknown> {
  const done = (tool: string) => ({
    name: `after-${tool}`,
    when: [{ path: `done.${tool}`, op: 'exists' }],
    then: { next: 'complete', label: 'done', confidence: 1, rationale: `${tool} ran.` },
  });
  return {
    formatVersion: 1,
    id: 'mcp-desk',
    version: 1,
    owner: 'ops@acme.example',
    description: 'Opens help-desk tickets and remembers leads through MCP servers.',
    mode: 'live',
    trigger: { eventTypes: ['request.received'], required: ['title'] },
    context: {
      sources: [
        {
          name: 'same-title',
          kind: 'mcp',
          server: 'help',
          tool: 'find_ticket',
          arguments: { title: '{{ trigger.data.title }}' },
          timeoutMs: 5000,
          required: false,
        },
      ],
    },
    decision: {
      rules: [done('open-ticket'), done('remember-lead')],
      model: {
        name: 'test-model',
        prompt: 'Open a ticket for a problem; remember a lead.',
        temperature: 0,
        labels: ['problem', 'lead', 'other'],
        costPer1kTokensUsd: 0,
        maxInvalidOutputs: 0,
      },
    },
    tools: [
      // The proposal's args are the tool's input: the model is shown its input schema.
      {
        name: 'open-ticket',
        access: 'write',
        kind: 'mcp',
        server: 'help',
        tool: 'create_ticket',
        description: 'Open a help-desk ticket.',
        requiredArgs: ['title'],
      },
      // Flat args for the model and the guards, the shape the memory server asks for.
      {
        name: 'remember-lead',
        access: 'write',
        kind: 'mcp',
        server: 'crm',
        tool: 'create_entities',
        description: 'Remember a lead in the CRM.',
        requiredArgs: ['email', 'note'],
        arguments: {
          entities: [
            { name: '{{ args.email }}', entityType: 'lead', observations: ['{{ args.note }}'] },
          ],
        },
      },
    ],
    validation: { approvals: [], checks: [], maxFailures: 0 },
    escalation: { queue: 'ops', slaMinutes: 60 },
    limits: { maxSteps: 10, maxTokens: 100000, maxCostUsd: 1, deadlineMinutes: 10 },
  };
}

/**
 * MCP tools through whole runs: the six services in one process on the real broker and
 * Postgres, a scripted model, the published memory server over stdio and a Streamable HTTP
 * server that counts the calls it gets.
 */
describe('MCP tools through a run (real Kafka and Postgres)', () => {
  const model = new ScriptedOpenAI();
  const help = new McpTestServer();
  let baton: EmbeddedBaton;
  let triggerUrl: string;
  let workflowsDir: string;
  let memoryDir: string;
  let schemaPrefix: string;

  beforeAll(async () => {
    await model.start();
    await help.start();
    workflowsDir = writeWorkflows([mcpWorkflow()]);
    memoryDir = mkdtempSync(join(tmpdir(), 'baton-mcp-memory-'));
    const portBase = await stablePortRange(SERVICE_DEFINITIONS.length + 1);
    const environment = await serviceTestEnvironment('embedded', {
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      BATON_SIGNING_KEY: testSigningKey(),
      BATON_API_KEYS: testApiKeysSetting(),
      BATON_WORKFLOWS_DIR: workflowsDir,
      // Six services and the /metrics server on consecutive ports outside the ephemeral range.
      BATON_PORT_BASE: String(portBase),
      BATON_METRICS_PORT: String(portBase + SERVICE_DEFINITIONS.length),
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: model.baseURL,
      BATON_MCP_SERVERS: JSON.stringify({
        crm: {
          command: 'node',
          args: [MEMORY_SERVER],
          env: { MEMORY_FILE_PATH: join(memoryDir, 'crm.jsonl') },
        },
        help: { url: help.url },
      }),
    });
    schemaPrefix = environment.env['BATON_SCHEMA_PREFIX']!;
    baton = await startEmbeddedBaton({ env: { ...process.env, ...environment.env } });
    triggerUrl = baton.services.find((service) => service.name === 'trigger')!.url;
  }, 180_000);

  afterAll(async () => {
    await baton?.stop();
    await help.close();
    await model.stop();
    for (const { name } of SERVICE_DEFINITIONS) await dropSchema(`${schemaPrefix}${name}`);
    rmSync(workflowsDir, { recursive: true, force: true });
    rmSync(memoryDir, { recursive: true, force: true });
  });

  const run = async (title: string) => {
    const response = await fetch(`${triggerUrl}/v1/triggers`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TEST_KEYS.publisher}`,
      },
      body: JSON.stringify({
        schemaVersion: 1,
        idempotencyKey: `mcp-${randomUUID()}`,
        workflowId: 'mcp-desk',
        tenantId: 'acme',
        eventType: 'request.received',
        data: { title },
      }),
    });
    const body = (await response.json()) as { runId?: string };
    expect(response.status, JSON.stringify(body)).toBe(202);
    return body.runId!;
  };
  const ended = (runId: string, status: string) =>
    expectEventually(
      async () => {
        const response = await fetch(`${triggerUrl}/v1/runs/${runId}`, {
          headers: { authorization: `Bearer ${TEST_KEYS.reviewer}` },
        });
        const view = (await response.json()) as RunView;
        expect(view.status).toBe(status);
        return view;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  const actionOutput = (view: RunView) =>
    view.steps.find((step) => step.kind === 'action')?.output as
      { result: Record<string, unknown> } | undefined;
  const proposal = (tool: string, args: Record<string, unknown>, label = 'problem') => ({
    json: { next: 'act', tool, args, label, confidence: 0.9, rationale: 'A clear request.' },
  });

  it('calls a tool over Streamable HTTP that the model chose from its listed input schema', async () => {
    const asked = model.requests.length;
    model.reply(proposal('open-ticket', { title: 'VPN is down', priority: 'high' }));
    const runId = await run('VPN is down');
    const view = await ended(runId, 'completed');

    expect(actionOutput(view)?.result).toEqual({
      status: 'succeeded',
      idempotencyKey: expect.any(String),
      output: { id: 'T-1', title: 'VPN is down', priority: 'high' },
    });
    const [call] = help.callsOf('create_ticket');
    expect(call).toEqual({
      tool: 'create_ticket',
      args: { title: 'VPN is down', priority: 'high' },
      idempotencyKey: (actionOutput(view)?.result as { idempotencyKey: string }).idempotencyKey,
    });
    // The source asked the same server before the decision; it found nothing yet.
    expect(help.callsOf('find_ticket')[0]?.args).toEqual({ title: 'VPN is down' });

    const request = model.requests[asked]!.body as {
      messages: Array<{ content: string }>;
      response_format: {
        json_schema: { schema: { properties: { args: { required: string[] } } } };
      };
    };
    const system = request.messages[0]!.content;
    expect(system).toContain('open-ticket (write): Open a help-desk ticket.');
    expect(system).toContain('Runs create_ticket of MCP server help: Open a help-desk ticket.');
    expect(system).toContain('"enum":["low","normal","high"]');
    expect(request.response_format.json_schema.schema.properties.args.required).toEqual(
      expect.arrayContaining(['title', 'priority', 'email', 'note']),
    );
  });

  it('calls a published server over stdio with the arguments its template builds', async () => {
    model.reply(
      proposal(
        'remember-lead',
        { email: 'lena@brightpixel.example', note: 'Asked for a demo.' },
        'lead',
      ),
    );
    const runId = await run('Demo request from Bright Pixel');
    const view = await ended(runId, 'completed');
    const lead = {
      name: 'lena@brightpixel.example',
      entityType: 'lead',
      observations: ['Asked for a demo.'],
    };
    expect(actionOutput(view)?.result).toMatchObject({
      status: 'succeeded',
      output: { entities: [lead] },
    });
    // The memory server's own file: the entity, once.
    const graph = readFileSync(join(memoryDir, 'crm.jsonl'), 'utf8').trim().split('\n');
    expect(graph.map((line) => JSON.parse(line) as unknown)).toEqual([{ type: 'entity', ...lead }]);
  });

  it('never calls a tool of the server that the workflow does not grant', async () => {
    model.reply(proposal('delete_all_tickets', {}));
    const runId = await run('Clean up please');
    const view = await ended(runId, 'waiting-for-review');
    expect(view.reason).toContain('which this workflow does not grant');
    expect(view.steps.some((step) => step.kind === 'action')).toBe(false);
    expect(help.callsOf('delete_all_tickets')).toEqual([]);
  });

  it("refuses arguments that break the tool's input schema before the call, naming the problems", async () => {
    const calls = help.callsOf('create_ticket').length;
    model.reply(proposal('open-ticket', { title: 'Printer jammed', priority: 'urgent' }), {
      json: { next: 'escalate', label: 'other', confidence: 0.5, rationale: 'The tool failed.' },
    });
    const runId = await run('Printer jammed');
    const view = await ended(runId, 'waiting-for-review');
    expect(actionOutput(view)?.result).toMatchObject({
      status: 'failed',
      error:
        "help/create_ticket: the arguments break the tool's input schema (args.priority: must be equal to one of the allowed values)",
    });
    expect(help.callsOf('create_ticket')).toHaveLength(calls);
    expect(model.remaining).toBe(0);
  });

  it('refuses to publish a definition naming an MCP server the deployment does not declare', async () => {
    const base = mcpWorkflow();
    const [ticket, lead] = base['tools'] as Array<Record<string, unknown>>;
    const definition = { ...base, id: 'mcp-erp', tools: [ticket, { ...lead, server: 'erp' }] };
    const response = await fetch(`${triggerUrl}/v1/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEYS.admin}` },
      body: JSON.stringify(definition),
    });
    const body = (await response.json()) as { problems?: string[] };
    expect(response.status, JSON.stringify(body)).toBe(422);
    expect(body.problems).toContain(
      'tools.1.server: MCP server "erp" is not declared in this deployment (BATON_MCP_SERVERS declares crm, help)',
    );
  });
});
