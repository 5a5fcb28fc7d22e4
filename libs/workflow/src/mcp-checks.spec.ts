import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from './load-workflow.js';
import { renderMcpArguments } from './mcp-arguments.js';
import { mcpArgumentNames, mcpProblems } from './mcp-checks.js';

const billing = parseYaml(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as { tools: unknown[]; context: { sources: unknown[] } };

const rememberLead = {
  name: 'remember-lead',
  access: 'write',
  kind: 'mcp',
  description: 'Remember the lead in the CRM.',
  requiredArgs: ['email'],
  server: 'crm',
  tool: 'create_entities',
  arguments: {
    entities: [{ name: '{{ args.email }}', entityType: 'lead', observations: ['{{ args.note }}'] }],
  },
  timeoutMs: 5000,
};

const knownLead = {
  name: 'known-lead',
  kind: 'mcp',
  server: 'crm',
  tool: 'search_nodes',
  arguments: { query: '{{ trigger.data.email }}' },
  timeoutMs: 2000,
  required: false,
};

const problemsOf = (entry: Record<string, unknown>, as: 'tool' | 'source') => {
  const problems: string[] = [];
  mcpProblems('at', entry, as, (path, message) => problems.push(`${path}: ${message}`));
  return problems;
};

describe(mcpProblems.name, () => {
  it('accepts an mcp tool and an mcp source in a definition the loader reads whole', () => {
    const loaded = parseWorkflow(
      JSON.stringify({
        ...billing,
        tools: [...billing.tools, rememberLead],
        context: { sources: [...billing.context.sources, knownLead] },
      }),
      { format: 'json' },
    );
    expect(loaded.ok ? [] : loaded.errors).toEqual([]);
  });

  it('asks a server and a tool, and template paths of the scope', () => {
    expect(problemsOf({ ...rememberLead, server: undefined, tool: undefined }, 'tool')).toEqual([
      'at.server: an mcp tool names a server of the deployment',
      "at.tool: an mcp tool names the server's tool",
    ]);
    expect(
      problemsOf(
        { ...knownLead, arguments: { query: '{{ args.email }}', auth: '{{ secret.crm-token }}' } },
        'source',
      ),
    ).toEqual([
      'at.arguments.query: "args.email" is outside the scope: paths start with trigger',
      "at.arguments.auth: a server's credentials belong in its declaration (BATON_MCP_SERVERS)",
    ]);
  });

  it('refuses a server name that is not a name and a tool name no server lists', () => {
    const loaded = parseWorkflow(
      JSON.stringify({
        ...billing,
        tools: [...billing.tools, { ...rememberLead, server: 'CRM!', tool: 'create entities' }],
      }),
      { format: 'json' },
    );
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      expect.stringContaining('server must be lowercase letters, digits and dashes'),
      expect.stringContaining('tool is a tool name as the MCP server lists it'),
    ]);
  });
});

describe(mcpArgumentNames.name, () => {
  it('names the args its arguments template reads', () => {
    expect(mcpArgumentNames(rememberLead)).toEqual(['email', 'note']);
    expect(mcpArgumentNames({})).toEqual([]);
  });
});

describe(renderMcpArguments.name, () => {
  it('keeps a whole template’s type, leaves a missing value out and names it', () => {
    expect(
      renderMcpArguments(
        {
          entities: [
            { name: '{{ args.email }}', score: '{{ args.score }}', note: '{{ args.note }}' },
          ],
        },
        { args: { email: 'a@b.example', score: 62 } },
      ),
    ).toEqual({
      args: { entities: [{ name: 'a@b.example', score: 62 }] },
      missing: ['args.note'],
    });
  });
});
