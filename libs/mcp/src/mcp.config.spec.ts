import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { McpConfig, mcpServersOf } from './mcp.config.js';

const config = (servers: string) => Object.assign(new McpConfig(), { servers });

describe(mcpServersOf.name, () => {
  const folder = mkdtempSync(join(tmpdir(), 'mcp-workflows-'));
  writeFileSync(
    join(folder, 'mcp-servers.yaml'),
    'crm:\n  command: node\n  env:\n    MEMORY_FILE_PATH: ${CRM_FILE:-/tmp/fallback.jsonl}\n',
  );

  it("reads the workflows folder's mcp-servers.yaml when BATON_MCP_SERVERS is empty", () => {
    const servers = mcpServersOf(config(''), 'action', folder, { CRM_FILE: '/data/crm.jsonl' });
    expect(servers.get('crm')).toMatchObject({ env: { MEMORY_FILE_PATH: '/data/crm.jsonl' } });
  });

  it('takes BATON_MCP_SERVERS over the folder’s declaration', () => {
    const servers = mcpServersOf(config('{"erp": {"command": "erp"}}'), 'action', folder, {});
    expect([...servers.keys()]).toEqual(['erp']);
  });

  it('declares no servers when neither says anything', () => {
    const empty = mkdtempSync(join(tmpdir(), 'mcp-workflows-'));
    expect(mcpServersOf(config(''), 'action', empty, {}).size).toBe(0);
  });
});
