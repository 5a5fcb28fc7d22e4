import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helpDeskTools, McpTestServer, REPO_ROOT } from '@baton/testing';
import { parseMcpServers, type McpServerSpecs } from './mcp-server-spec.js';
import { McpServers } from './mcp-servers.js';
import { McpToolErrorCode } from './mcp-tool-error.js';

// The published reference server, started over stdio with the Node that runs the tests.
const MEMORY_SERVER = join(
  REPO_ROOT,
  'node_modules/@modelcontextprotocol/server-memory/dist/index.js',
);

function declared(servers: Record<string, unknown>): McpServerSpecs {
  const parsed = parseMcpServers(JSON.stringify(servers));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.servers;
}

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const item of open.reverse()) await item.close();
});

describe(McpServers.name, () => {
  it('lists and calls the tools of a published server over stdio', async () => {
    const memoryFile = join(mkdtempSync(join(tmpdir(), 'mcp-memory-')), 'memory.jsonl');
    const servers = new McpServers(
      declared({
        crm: { command: 'node', args: [MEMORY_SERVER], env: { MEMORY_FILE_PATH: memoryFile } },
      }),
    );
    open.push(servers);

    const tools = await servers.tools('crm');
    const create = tools.find((tool) => tool.name === 'create_entities');
    expect(create?.description).toMatch(/entities/i);
    expect(create?.inputSchema).toMatchObject({ type: 'object', required: ['entities'] });

    const lead = {
      name: 'lena@brightpixel.example',
      entityType: 'lead',
      observations: ['score 62'],
    };
    expect(await servers.call('crm', 'create_entities', { entities: [lead] })).toEqual({
      entities: [lead],
    });
    // The memory server keeps one entity per name: a second call creates nothing.
    expect(await servers.call('crm', 'create_entities', { entities: [lead] })).toEqual({
      entities: [],
    });
    const lines = readFileSync(memoryFile, 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ type: 'entity', ...lead }]);
  });

  it('keeps every one of many calls made at once to a server declared to take one at a time', async () => {
    // The memory server rewrites its whole file on every call: two calls at once can lose one.
    const memoryFile = join(mkdtempSync(join(tmpdir(), 'mcp-memory-')), 'memory.jsonl');
    const servers = new McpServers(
      declared({
        crm: {
          command: 'node',
          args: [MEMORY_SERVER],
          env: { MEMORY_FILE_PATH: memoryFile },
          maxConcurrentCalls: 1,
        },
      }),
    );
    open.push(servers);
    const names = Array.from({ length: 40 }, (_, i) => `lead-${i}@example.test`);
    await Promise.all(
      names.map((name) =>
        servers.call('crm', 'create_entities', {
          entities: [{ name, entityType: 'lead', observations: [] }],
        }),
      ),
    );
    const lines = readFileSync(memoryFile, 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { name: string }).name).sort()).toEqual(
      [...names].sort(),
    );
  });

  it('refuses arguments that break the input schema before the call, naming every problem', async () => {
    const help = await new McpTestServer().start();
    open.push(help);
    const servers = new McpServers(declared({ help: { url: help.url } }));
    open.push(servers);

    const refused = servers.call('help', 'create_ticket', {
      title: '',
      priority: 'urgent',
      cc: 'x',
    });
    await expect(refused).rejects.toMatchObject({
      code: McpToolErrorCode.InvalidArguments,
      transient: false,
      problems: [
        'args.cc: is not allowed',
        'args.title: must NOT have fewer than 1 characters',
        'args.priority: must be equal to one of the allowed values',
      ],
    });
    expect(help.calls).toEqual([]);
  });

  it('calls a tool over Streamable HTTP with the idempotency key, and maps its failures', async () => {
    const help = await new McpTestServer().start();
    open.push(help);
    const servers = new McpServers(
      declared({ help: { url: help.url, headers: { Authorization: 'Bearer t0ken' } } }),
    );
    open.push(servers);

    const args = { title: 'Printer on fire', priority: 'high' };
    const first = await servers.call('help', 'create_ticket', args, { idempotencyKey: 'run-1:7' });
    const again = await servers.call('help', 'create_ticket', args, { idempotencyKey: 'run-1:7' });
    expect(first).toEqual({ id: 'T-1', ...args });
    expect(again).toEqual(first);
    expect(help.callsOf('create_ticket').map((call) => call.idempotencyKey)).toEqual([
      'run-1:7',
      'run-1:7',
    ]);
    expect(await servers.call('help', 'find_ticket', { title: 'Printer on fire' })).toEqual({
      tickets: [first],
    });

    await expect(servers.call('help', 'always_fails', {})).rejects.toMatchObject({
      code: McpToolErrorCode.ToolFailed,
      transient: false,
      message: 'help/always_fails: the tool reported an error: the help desk is read-only',
    });
    await expect(servers.call('help', 'no_such_tool', {})).rejects.toMatchObject({
      code: McpToolErrorCode.UnknownTool,
    });
    await expect(servers.call('nowhere', 'create_ticket', args)).rejects.toMatchObject({
      code: McpToolErrorCode.UnknownServer,
    });
    expect(help.calls.map((call) => call.tool)).toEqual([
      'create_ticket',
      'create_ticket',
      'find_ticket',
      'always_fails',
    ]);
  });

  it('times out a call that never answers, as a failure worth another try', async () => {
    const help = await new McpTestServer([
      ...helpDeskTools(),
      {
        name: 'hang',
        description: 'Never answers.',
        inputSchema: { type: 'object' },
        answer: () => new Promise(() => undefined),
      },
    ]).start();
    open.push(help);
    const servers = new McpServers(declared({ help: { url: help.url, timeoutMs: 300 } }));
    open.push(servers);
    await expect(servers.call('help', 'hang', {})).rejects.toMatchObject({
      code: McpToolErrorCode.Timeout,
      transient: true,
    });
  });

  it('connects again once a server that was down is back', async () => {
    const help = await new McpTestServer().start();
    const port = Number(new URL(help.url).port);
    await help.close();
    const servers = new McpServers(declared({ help: { url: help.url } }));
    open.push(servers);

    await expect(servers.tools('help')).rejects.toMatchObject({
      code: McpToolErrorCode.Unavailable,
      transient: true,
    });
    await help.start(port);
    open.push(help);
    expect((await servers.tools('help')).map((tool) => tool.name)).toContain('create_ticket');
  });
});
