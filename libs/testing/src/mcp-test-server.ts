import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';

/** One tool of the test server: its listing and what a call answers. */
export interface TestMcpTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  answer: (
    args: Record<string, unknown>,
    idempotencyKey: string | undefined,
  ) => CallToolResult | Promise<CallToolResult>;
}

/** One call the server received. */
export interface ReceivedMcpCall {
  tool: string;
  args: Record<string, unknown>;
  idempotencyKey: string | undefined;
}

/**
 * The tools of a help desk: `create_ticket` (a write that honours Baton's idempotency key: a
 * second call with a key answers the first call's ticket), `find_ticket` (a read),
 * `delete_all_tickets` (no workflow should ever reach it) and `always_fails` (`isError`).
 */
export function helpDeskTools(): TestMcpTool[] {
  const tickets = new Map<string, Record<string, unknown>>();
  return [
    {
      name: 'create_ticket',
      description: 'Open a help-desk ticket.',
      inputSchema: {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1 },
          priority: { type: 'string', enum: ['low', 'normal', 'high'] },
        },
        required: ['title', 'priority'],
        additionalProperties: false,
      },
      answer: (args, key) => {
        const known = key ? tickets.get(key) : undefined;
        const ticket = known ?? { id: `T-${tickets.size + 1}`, ...args };
        if (key) tickets.set(key, ticket);
        return { content: [{ type: 'text', text: JSON.stringify(ticket) }] };
      },
    },
    {
      name: 'find_ticket',
      description: 'Look a ticket up by its title.',
      inputSchema: {
        type: 'object',
        properties: { title: { type: 'string' } },
        required: ['title'],
      },
      answer: (args) => {
        const found = [...tickets.values()].filter((ticket) => ticket['title'] === args['title']);
        return { content: [], structuredContent: { tickets: found } };
      },
    },
    {
      name: 'delete_all_tickets',
      description: 'Delete every ticket.',
      inputSchema: { type: 'object', properties: {} },
      answer: () => {
        tickets.clear();
        return { content: [{ type: 'text', text: 'deleted' }] };
      },
    },
    {
      name: 'always_fails',
      description: 'Fails.',
      inputSchema: { type: 'object', properties: {} },
      answer: () => ({
        content: [{ type: 'text', text: 'the help desk is read-only' }],
        isError: true,
      }),
    },
  ];
}

/**
 * An MCP server over Streamable HTTP on loopback (stateless: each POST is served by a fresh
 * protocol instance), written with the SDK's own server classes. It records every tool call
 * it receives, so a test can say a tool was called once, or never.
 */
export class McpTestServer {
  readonly calls: ReceivedMcpCall[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly tools: TestMcpTool[] = helpDeskTools()) {}

  /** Listens on `port` (0: any free one); a test restarts a closed server on its old port. */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mcp`;
    return this;
  }

  /** The calls of one tool. */
  callsOf(tool: string): ReceivedMcpCall[] {
    return this.calls.filter((call) => call.tool === tool);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      // Stateless: no stream of server-initiated messages, no session to end.
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const protocol = this.protocol();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void protocol.close());
    await protocol.connect(transport);
    await transport.handleRequest(req, res);
  }

  private protocol(): McpServer {
    const server = new McpServer(
      { name: 'baton-test-help-desk', version: '1.0.0' },
      { capabilities: { tools: {} } },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: this.tools.map(({ name, description, inputSchema }) => ({
        name,
        description,
        inputSchema: inputSchema as { type: 'object' },
      })),
    }));
    server.setRequestHandler(CallToolRequestSchema, (request) => {
      const args = request.params.arguments ?? {};
      const meta = request.params._meta as Record<string, unknown> | undefined;
      const key = meta?.['baton/idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : undefined;
      this.calls.push({ tool: request.params.name, args, idempotencyKey });
      const tool = this.tools.find((candidate) => candidate.name === request.params.name);
      if (!tool)
        return {
          content: [{ type: 'text', text: `no tool ${request.params.name}` }],
          isError: true,
        };
      return tool.answer(args, idempotencyKey);
    });
    return server;
  }
}
