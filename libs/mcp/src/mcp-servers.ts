import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '@baton/telemetry';
import { compileInputSchema, type InputCheck } from './input-schema.js';
import type { McpServerSpec, McpServerSpecs } from './mcp-server-spec.js';
import { McpToolError, McpToolErrorCode, mcpToolErrorOf } from './mcp-tool-error.js';
import { toolOutput } from './tool-output.js';

/** A tool as its server lists it: what the model is shown and the arguments are checked against. */
export interface McpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface McpCallOptions {
  /** Longest the call may take, milliseconds; default: the server's `timeoutMs`. */
  timeoutMs?: number;
  /** Sent as `_meta["baton/idempotency-key"]`: a server that honours it runs a write once per key. */
  idempotencyKey?: string;
}

interface Connection {
  client: Client;
  tools: Map<string, McpTool & { check: InputCheck }>;
}

/** `_meta` key of a call's idempotency key (MCP reserves unprefixed names for itself). */
export const IDEMPOTENCY_META_KEY = 'baton/idempotency-key';

/**
 * The deployment's MCP servers, connected on first use and kept: one connection per server for
 * the life of the process, shared by every call. A connection that fails or closes is dropped,
 * and the next call connects again. The tool list is read when a connection opens (and again
 * when the server says it changed).
 */
export class McpServers {
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly gates = new Map<string, CallGate>();
  private closed = false;

  constructor(
    private readonly specs: McpServerSpecs,
    private readonly logger?: Pick<Logger, 'warn'>,
    private readonly clientInfo = { name: 'baton', version: '0.1.0' },
  ) {}

  /** The declared server names. */
  names(): string[] {
    return [...this.specs.keys()].sort();
  }

  has(server: string): boolean {
    return this.specs.has(server);
  }

  /** The server's tools, by name. */
  async tools(server: string): Promise<McpTool[]> {
    const { tools } = await this.connection(server);
    return [...tools.values()].map(({ name, description, inputSchema }) => ({
      name,
      description,
      inputSchema,
    }));
  }

  /**
   * Calls one tool: the arguments are checked against its input schema first (a call that
   * breaks it is refused, with every problem, and never sent), then sent with the server's
   * timeout. Every failure is an McpToolError that says whether another try may succeed.
   */
  async call(
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options: McpCallOptions = {},
  ): Promise<Record<string, unknown>> {
    const at = `${server}/${tool}`;
    const connection = await this.connection(server);
    const listed = connection.tools.get(tool);
    if (!listed)
      throw new McpToolError(McpToolErrorCode.UnknownTool, `${at}: the server has no such tool`);
    const problems = listed.check(args);
    if (problems.length)
      throw new McpToolError(
        McpToolErrorCode.InvalidArguments,
        `${at}: the arguments break the tool's input schema (${problems.join('; ')})`,
        problems,
      );
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await this.gate(server).run(() =>
        connection.client.callTool(
          {
            name: tool,
            arguments: args,
            ...(options.idempotencyKey
              ? { _meta: { [IDEMPOTENCY_META_KEY]: options.idempotencyKey } }
              : {}),
          },
          undefined,
          { timeout: options.timeoutMs ?? this.spec(server).timeoutMs },
        ),
      );
    } catch (error) {
      const failure = mcpToolErrorOf(error, at);
      if (failure.code === McpToolErrorCode.Unavailable) this.drop(server, connection);
      throw failure;
    }
    return toolOutput(result, at);
  }

  /** The server's bound on calls at once (`maxConcurrentCalls`); unbounded without one. */
  private gate(server: string): CallGate {
    let gate = this.gates.get(server);
    if (!gate) {
      gate = new CallGate(this.spec(server).maxConcurrentCalls ?? Infinity);
      this.gates.set(server, gate);
    }
    return gate;
  }

  /** Closes every connection (stdio servers exit); later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(
      open.map((pending) =>
        pending.then(
          (connection) => connection.client.close(),
          () => undefined,
        ),
      ),
    );
  }

  private spec(server: string): McpServerSpec {
    const spec = this.specs.get(server);
    if (!spec)
      throw new McpToolError(
        McpToolErrorCode.UnknownServer,
        `${server}: not a declared MCP server (BATON_MCP_SERVERS declares ${this.names().join(', ') || 'none'})`,
      );
    return spec;
  }

  private connection(server: string): Promise<Connection> {
    const spec = this.spec(server);
    if (this.closed)
      return Promise.reject(
        new McpToolError(McpToolErrorCode.Unavailable, `${server}: the MCP clients are closed`),
      );
    let pending = this.connections.get(server);
    if (!pending) {
      pending = this.connect(server, spec);
      this.connections.set(server, pending);
      // A failed connect is not kept: the next call tries again.
      pending.catch(() => {
        if (this.connections.get(server) === pending) this.connections.delete(server);
      });
    }
    return pending;
  }

  private async connect(server: string, spec: McpServerSpec): Promise<Connection> {
    const client = new Client(this.clientInfo);
    const connection: Connection = { client, tools: new Map() };
    const pending = this.connections.get(server);
    client.onclose = () => {
      if (this.connections.get(server) === pending) this.connections.delete(server);
    };
    try {
      await client.connect(transportOf(spec), { timeout: spec.timeoutMs });
      await this.listTools(connection, spec);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw mcpToolErrorOf(error, `${server}: connecting`);
    }
    client.setNotificationHandler(ToolListChangedNotificationSchema, () =>
      this.listTools(connection, spec).catch((error: unknown) =>
        this.logger?.warn(
          { server, error: mcpToolErrorOf(error, server).message },
          'MCP tool list could not be read again',
        ),
      ),
    );
    return connection;
  }

  private async listTools(connection: Connection, spec: McpServerSpec): Promise<void> {
    const tools = new Map<string, McpTool & { check: InputCheck }>();
    let cursor: string | undefined;
    do {
      const page = await connection.client.listTools(cursor ? { cursor } : undefined, {
        timeout: spec.timeoutMs,
      });
      for (const tool of page.tools) {
        const inputSchema = tool.inputSchema as Record<string, unknown>;
        tools.set(tool.name, {
          name: tool.name,
          description: tool.description ?? '',
          inputSchema,
          check: compileInputSchema(inputSchema),
        });
      }
      cursor = page.nextCursor;
    } while (cursor);
    connection.tools = tools;
  }

  private drop(server: string, connection: Connection): void {
    const pending = this.connections.get(server);
    if (!pending) return;
    void pending.then((current) => {
      if (current !== connection || this.connections.get(server) !== pending) return;
      this.connections.delete(server);
      void connection.client.close().catch(() => undefined);
    });
  }
}

function transportOf(spec: McpServerSpec): Transport {
  if (spec.transport === 'http')
    return new StreamableHTTPClientTransport(new URL(spec.url), {
      // Redirects are not followed: the declared URL is the server, not wherever it points.
      requestInit: { headers: spec.headers, redirect: 'error' },
    });
  return new StdioClientTransport({
    command: spec.command === 'node' ? process.execPath : spec.command,
    args: spec.args,
    // Only a minimal environment and the declared variables: Baton's own (the signing key,
    // database URLs) never reach the server.
    env: { ...getDefaultEnvironment(), ...spec.env },
    ...(spec.cwd ? { cwd: spec.cwd } : {}),
    // The server's log is its own business and may echo arguments: not mixed into Baton's.
    stderr: 'ignore',
  });
}

/** Lets at most `most` calls run at once; the others wait their turn, in order. */
class CallGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly most: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= this.most) await new Promise<void>((go) => this.waiting.push(go));
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
