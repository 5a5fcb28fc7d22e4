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

  it("fills an env value from Baton's environment: ${NAME}, or its :-fallback when unset", () => {
    const setting = JSON.stringify({
      crm: {
        command: 'node',
        env: {
          MEMORY_FILE_PATH: '${CRM_FILE:-/tmp/crm.jsonl}',
          REGION: 'eu-${REGION}',
          PLAIN: '$HOME stays',
        },
      },
    });
    const parsed = parseMcpServers(setting, '/', { CRM_FILE: '/data/crm.jsonl', REGION: 'west' });
    expect(parsed.ok && parsed.servers.get('crm')).toMatchObject({
      env: { MEMORY_FILE_PATH: '/data/crm.jsonl', REGION: 'eu-west', PLAIN: '$HOME stays' },
    });
    const fallback = parseMcpServers(setting, '/', { REGION: 'west' });
    expect(fallback.ok && fallback.servers.get('crm')).toMatchObject({
      env: { MEMORY_FILE_PATH: '/tmp/crm.jsonl' },
    });
  });

  it('reads maxConcurrentCalls, a whole number from 1', () => {
    const parsed = parseMcpServers(
      JSON.stringify({
        crm: { command: 'node', maxConcurrentCalls: 1 },
        erp: { url: 'https://erp.example/mcp', maxConcurrentCalls: 0 },
      }),
    );
    expect(parsed).toEqual({
      ok: false,
      problems: ['erp: maxConcurrentCalls is a whole number from 1 to 1000'],
    });
    const one = parseMcpServers(
      JSON.stringify({ crm: { command: 'node', maxConcurrentCalls: 1 } }),
    );
    expect(one.ok && one.servers.get('crm')).toMatchObject({ maxConcurrentCalls: 1 });
  });

  it('refuses an env value reading a variable that is unset and has no fallback, naming it', () => {
    const parsed = parseMcpServers(
      JSON.stringify({ crm: { command: 'node', env: { TOKEN: '${CRM_TOKEN}' } } }),
      '/',
      {},
    );
    expect(parsed).toEqual({
      ok: false,
      problems: ['crm: env.TOKEN reads ${CRM_TOKEN}, which is not set (and has no :-fallback)'],
    });
  });

  it("reads a YAML file named by its path, relative to the base directory, and its cwd relative to the file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-servers-'));
    writeFileSync(join(dir, 'mcp.yaml'), 'crm:\n  command: mcp-crm\n  cwd: servers/crm\n');
    const parsed = parseMcpServers('mcp.yaml', dir);
    expect(parsed.ok && parsed.servers.get('crm')).toMatchObject({
      transport: 'stdio',
      command: 'mcp-crm',
      args: [],
      cwd: join(dir, 'servers/crm'),
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
        'both: unknown field command (a http server has url, headers, timeoutMs, maxConcurrentCalls)',
        'neither: a server has a command (stdio) or a url (Streamable HTTP)',
        'ftp: url is an http(s) URL',
        'ftp: headers maps names to strings',
        'slow: unknown field arg (a stdio server has command, args, env, cwd, timeoutMs, maxConcurrentCalls)',
        'slow: timeoutMs is a whole number of milliseconds from 10 to 300000',
        'hidden: unknown field env (a http server has url, headers, timeoutMs, maxConcurrentCalls)',
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
