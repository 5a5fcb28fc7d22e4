import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MCP_TIMEOUT_MS, parseMcpServers } from './mcp-server-spec.js';

describe(parseMcpServers.name, () => {
  it('reads inline JSON: a stdio server and a Streamable HTTP server', () => {
    const parsed = parseMcpServers(
      JSON.stringify({
        crm: { command: 'node', args: ['server.js'], env: { MEMORY_FILE_PATH: '/tmp/m.jsonl' } },
        'help-desk': {
          url: 'https://mcp.help.example/mcp',
          headers: { Authorization: 'Bearer s3cr3t' },
          timeoutMs: 2000,
        },
      }),
    );
    expect(parsed).toEqual({
      ok: true,
      servers: new Map<string, unknown>([
        [
          'crm',
          {
            transport: 'stdio',
            command: 'node',
            args: ['server.js'],
            env: { MEMORY_FILE_PATH: '/tmp/m.jsonl' },
            timeoutMs: DEFAULT_MCP_TIMEOUT_MS,
          },
        ],
        [
          'help-desk',
          {
            transport: 'http',
            url: 'https://mcp.help.example/mcp',
            headers: { Authorization: 'Bearer s3cr3t' },
            timeoutMs: 2000,
          },
        ],
      ]),
    });
  });

  it('reads a YAML file named by its path, relative to the base directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-servers-'));
    writeFileSync(join(dir, 'mcp.yaml'), 'crm:\n  command: mcp-crm\n  cwd: /srv\n');
    const parsed = parseMcpServers('mcp.yaml', dir);
    expect(parsed.ok && parsed.servers.get('crm')).toMatchObject({
      transport: 'stdio',
      command: 'mcp-crm',
      args: [],
      cwd: '/srv',
    });
  });

  it('is no servers when the setting is empty', () => {
    expect(parseMcpServers('  ')).toEqual({ ok: true, servers: new Map() });
  });

  it('names every problem by server and field, never a value', () => {
    const parsed = parseMcpServers(
      JSON.stringify({
        Bad_Name: { command: 'x' },
        both: { command: 'x', url: 'https://a.example' },
        neither: { headers: {} },
        ftp: { url: 'ftp://files.example', headers: { Authorization: 42 } },
        slow: { command: 'x', timeoutMs: 5, arg: ['misspelt'] },
        hidden: { url: 'https://a.example', headers: { Authorization: 'Bearer s3cr3t' }, env: {} },
      }),
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'Bad_Name: a server name is lowercase letters, digits and dashes',
        'both: a server has a command or a url, not both',
        'both: unknown field command (a http server has url, headers, timeoutMs)',
        'neither: a server has a command (stdio) or a url (Streamable HTTP)',
        'ftp: url is an http(s) URL',
        'ftp: headers maps names to strings',
        'slow: unknown field arg (a stdio server has command, args, env, cwd, timeoutMs)',
        'slow: timeoutMs is a whole number of milliseconds from 10 to 300000',
        'hidden: unknown field env (a http server has url, headers, timeoutMs)',
      ],
    });
    expect(JSON.stringify(parsed)).not.toContain('s3cr3t');
  });

  it('says what is wrong with text that is not a declaration', () => {
    expect(parseMcpServers('{ not json')).toEqual({
      ok: false,
      problems: ['not valid JSON (inline JSON starts with "{")'],
    });
    expect(parseMcpServers('/nonexistent/mcp.json')).toEqual({
      ok: false,
      problems: ['cannot read the file /nonexistent/mcp.json (ENOENT)'],
    });
    expect(parseMcpServers('{"crm": []}')).toEqual({
      ok: false,
      problems: ['crm: a declaration is a mapping: { command, args, env } or { url, headers }'],
    });
  });
});
