import type { ToolGrantSpec } from '@baton/workflow';
import { describe, expect, it } from 'vitest';
import { mcpProposalArgs, mcpToolNote, type ListedMcpTool } from './mcp-tools.js';

const grant = (fields: Partial<ToolGrantSpec>): ToolGrantSpec =>
  ({
    name: 'open-ticket',
    access: 'write',
    kind: 'mcp',
    server: 'help',
    tool: 'create_ticket',
    description: 'Open a ticket.',
    requiredArgs: ['title'],
    ...fields,
  }) as ToolGrantSpec;

const listed: ListedMcpTool = {
  name: 'create_ticket',
  description: 'Open a help-desk ticket.',
  inputSchema: {
    type: 'object',
    properties: { title: { type: 'string' }, priority: { enum: ['low', 'high'] } },
  },
};

describe(mcpToolNote.name, () => {
  it("shows the server's description and, when the args are the tool's input, its schema", () => {
    expect(mcpToolNote(grant({}), listed)).toBe(
      ' Runs create_ticket of MCP server help: Open a help-desk ticket.' +
        ` Its args are the tool's input, this JSON Schema: ${JSON.stringify(listed.inputSchema)}`,
    );
  });

  it('leaves the schema out when an arguments template builds the input', () => {
    const templated = grant({ arguments: { ticket: { title: '{{ args.subject }}' } } });
    expect(mcpToolNote(templated, listed)).toBe(
      ' Runs create_ticket of MCP server help: Open a help-desk ticket.',
    );
  });

  it('says so when the server could not list the tool, and cuts a huge description', () => {
    expect(mcpToolNote(grant({}), undefined)).toBe(
      ' Runs create_ticket of MCP server help (its server could not list it just now).',
    );
    const long = mcpToolNote(grant({ arguments: {} }), {
      ...listed,
      description: 'x'.repeat(5000),
    });
    expect(long.length).toBeLessThan(1100);
  });

  it('adds nothing to the tools of other kinds', () => {
    expect(mcpToolNote(grant({ kind: 'sql' }), listed)).toBe('');
  });
});

describe(mcpProposalArgs.name, () => {
  it("is the input schema's properties, or the args the arguments template reads", () => {
    expect(mcpProposalArgs(grant({}), listed)).toEqual(['title', 'priority']);
    expect(mcpProposalArgs(grant({}), undefined)).toEqual([]);
    expect(
      mcpProposalArgs(grant({ arguments: { ticket: { title: '{{ args.subject }}' } } }), listed),
    ).toEqual(['subject']);
  });
});
