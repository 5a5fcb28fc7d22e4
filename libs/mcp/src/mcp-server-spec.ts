import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** An MCP server started as a child process and spoken to over its stdin and stdout. */
export interface StdioServerSpec {
  transport: 'stdio';
  /** The program; `node` is the Node.js that runs Baton (whatever `node` is on the PATH). */
  command: string;
  args: string[];
  /** Added to a minimal environment (PATH, HOME, …): Baton's own variables are never passed on. */
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  /** At most this many tool calls at once (absent: no bound). */
  maxConcurrentCalls?: number;
}

/** An MCP server reached over Streamable HTTP. */
export interface HttpServerSpec {
  transport: 'http';
  url: string;
  /** Sent with every request (an `Authorization` header, an API key). */
  headers: Record<string, string>;
  timeoutMs: number;
  /** At most this many tool calls at once (absent: no bound). */
  maxConcurrentCalls?: number;
}

export type McpServerSpec = StdioServerSpec | HttpServerSpec;

/** The MCP servers of the deployment, by name. */
export type McpServerSpecs = ReadonlyMap<string, McpServerSpec>;

/** What a tool call may take when the server's declaration does not say. */
export const DEFAULT_MCP_TIMEOUT_MS = 10_000;

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const KEYS = {
  stdio: ['command', 'args', 'env', 'cwd', 'timeoutMs', 'maxConcurrentCalls'],
  http: ['url', 'headers', 'timeoutMs', 'maxConcurrentCalls'],
};

export type ParsedServers =
  { ok: true; servers: McpServerSpecs } | { ok: false; problems: string[] };

/**
 * Reads `BATON_MCP_SERVERS`: inline JSON (it starts with `{`) or the path of a JSON or YAML
 * file (relative to `baseDir`, the process's working directory), holding server name →
 * `{ command, args, env, cwd }` (stdio) or `{ url, headers }` (Streamable HTTP), each with an
 * optional `timeoutMs` and `maxConcurrentCalls`. A relative `cwd` is resolved against the file's folder (inline: against
 * `baseDir`), so a declaration kept beside what it starts works wherever Baton runs from. Empty:
 * no servers. Problems name the server and field, never a value (an `env` or `headers` value is
 * often a credential).
 */
export function parseMcpServers(
  setting: string,
  baseDir: string = process.cwd(),
  environment: NodeJS.ProcessEnv = process.env,
): ParsedServers {
  const text = setting.trim();
  if (!text) return { ok: true, servers: new Map() };
  let document: unknown;
  let folder = baseDir;
  if (text.startsWith('{')) {
    try {
      document = JSON.parse(text);
    } catch {
      return { ok: false, problems: ['not valid JSON (inline JSON starts with "{")'] };
    }
  } else {
    const path = isAbsolute(text) ? text : resolve(baseDir, text);
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
      // A linked declaration is relative to where it really lives.
      folder = dirname(realpathSync(path));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unreadable';
      return { ok: false, problems: [`cannot read the file ${path} (${code})`] };
    }
    try {
      document = /\.ya?ml$/i.test(path) ? parseYaml(content) : JSON.parse(content);
    } catch {
      return {
        ok: false,
        problems: [`${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}`],
      };
    }
  }
  if (!isObject(document))
    return { ok: false, problems: ['a mapping of server name to its declaration'] };
  const problems: string[] = [];
  const servers = new Map<string, McpServerSpec>();
  for (const [name, value] of Object.entries(document)) {
    const server = serverSpec(name, value, { folder, environment }, problems);
    if (server) servers.set(name, server);
  }
  return problems.length ? { ok: false, problems } : { ok: true, servers };
}

function serverSpec(
  name: string,
  value: unknown,
  { folder, environment }: { folder: string; environment: NodeJS.ProcessEnv },
  problems: string[],
): McpServerSpec | undefined {
  const before = problems.length;
  const report = (message: string) => problems.push(`${name}: ${message}`);
  if (!NAME.test(name)) report('a server name is lowercase letters, digits and dashes');
  if (!isObject(value)) {
    report('a declaration is a mapping: { command, args, env } or { url, headers }');
    return undefined;
  }
  const transport = 'url' in value ? 'http' : 'command' in value ? 'stdio' : undefined;
  if (!transport) {
    report('a server has a command (stdio) or a url (Streamable HTTP)');
    return undefined;
  }
  if ('url' in value && 'command' in value) report('a server has a command or a url, not both');
  for (const key of Object.keys(value))
    if (!KEYS[transport].includes(key))
      report(`unknown field ${key} (a ${transport} server has ${KEYS[transport].join(', ')})`);
  const timeoutMs = value['timeoutMs'] ?? DEFAULT_MCP_TIMEOUT_MS;
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 10 ||
    timeoutMs > 300_000
  )
    report('timeoutMs is a whole number of milliseconds from 10 to 300000');
  // A server that cannot take calls at once (one that rewrites a file on every call) says so.
  const most = value['maxConcurrentCalls'];
  if (
    most !== undefined &&
    (typeof most !== 'number' || !Number.isInteger(most) || most < 1 || most > 1000)
  )
    report('maxConcurrentCalls is a whole number from 1 to 1000');
  const bound = typeof most === 'number' ? { maxConcurrentCalls: most } : {};
  if (transport === 'http') {
    const url = value['url'];
    if (typeof url !== 'string' || !isHttpUrl(url)) report('url is an http(s) URL');
    const headers = strings(value['headers'], 'headers', report);
    if (problems.length > before) return undefined;
    return { transport, url: url as string, headers, timeoutMs: timeoutMs as number, ...bound };
  }
  const command = value['command'];
  if (typeof command !== 'string' || !command.trim()) report('command is the program to start');
  const args = value['args'] ?? [];
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string'))
    report('args is a list of strings');
  const env = expanded(strings(value['env'], 'env', report), environment, report);
  const cwd = value['cwd'];
  if (cwd !== undefined && typeof cwd !== 'string') report('cwd is a directory');
  if (problems.length > before) return undefined;
  return {
    transport,
    command: command as string,
    args: args as string[],
    env,
    ...(typeof cwd === 'string' ? { cwd: resolve(folder, cwd) } : {}),
    timeoutMs: timeoutMs as number,
    ...bound,
  };
}

function strings(
  value: unknown,
  field: string,
  report: (message: string) => void,
): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    report(`${field} maps names to strings`);
    return {};
  }
  return value as Record<string, string>;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * An `env` value may take a variable of Baton's own environment: `${NAME}`, or
 * `${NAME:-fallback}` when it may be unset or empty (as a shell reads them). A server's file,
 * database or port is then per deployment, per data folder or per test, while the declaration
 * stays one file. A variable that is unset and has no fallback is a problem naming it.
 */
function expanded(
  env: Record<string, string>,
  environment: NodeJS.ProcessEnv,
  report: (message: string) => void,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      value.replace(VARIABLE, (_, name: string, fallback: string | undefined) => {
        const set = environment[name];
        if (set) return set;
        if (fallback !== undefined) return fallback;
        report(`env.${key} reads \${${name}}, which is not set (and has no :-fallback)`);
        return '';
      }),
    ]),
  );
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
