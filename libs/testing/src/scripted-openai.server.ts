import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer to one model call. */
export type ScriptedReply =
  /** A chat completion whose message content is this value as JSON (structured output). */
  (
    | { json: unknown; promptTokens?: number; completionTokens?: number; model?: string }
    /** A chat completion whose message content is this text, as is (use it for invalid JSON). */
    | { text: string; promptTokens?: number; completionTokens?: number }
    /** An HTTP error with an OpenAI-style error body. */
    | { status: number; message?: string }
    /** Accepts the request and never answers: the client's timeout decides. */
    | { hang: true }
    /** 200 with a body that is not JSON at all. */
    | { garbage: string }
  ) & {
    /** Answers only once this settles: a test decides when a model call in flight returns. */
    after?: Promise<unknown>;
  };

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * An OpenAI-compatible HTTP server on loopback that answers `POST /v1/chat/completions`
 * from a script, in order. The real `openai` SDK talks to it through `baseURL`. When the
 * script runs out it answers 500 "no scripted reply left", so a test fails loudly.
 */
export class ScriptedOpenAI {
  readonly requests: RecordedRequest[] = [];
  private readonly script: ScriptedReply[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  url = '';

  /** The `baseURL` for the openai SDK. */
  get baseURL(): string {
    return `${this.url}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Appends replies to the script. */
  reply(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  get remaining(): number {
    return this.script.length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    this.requests.push({ path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      return void send(res, 404, {
        error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' },
      });
    }
    const next = this.script.shift();
    if (!next)
      return void send(res, 500, {
        error: { message: 'no scripted reply left', type: 'server_error' },
      });
    if (next.after) await next.after.catch(() => undefined);
    if ('hang' in next) {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    if ('garbage' in next) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(next.garbage);
      return;
    }
    if ('status' in next) {
      return void send(res, next.status, {
        error: { message: next.message ?? `scripted ${next.status}`, type: 'server_error' },
      });
    }
    const content = 'json' in next ? JSON.stringify(next.json) : next.text;
    const prompt = next.promptTokens ?? 100;
    const completion = next.completionTokens ?? 20;
    send(res, 200, {
      id: `chatcmpl-scripted-${this.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: ('model' in next && next.model) || String(body['model'] ?? 'scripted'),
      choices: [
        { index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } },
      ],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
      },
    });
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
