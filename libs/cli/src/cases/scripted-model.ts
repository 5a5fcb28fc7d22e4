import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ModelStep } from './workflow-case.js';

export const DEFAULT_MODEL_PORT = 4010;
/** How long a model call for a run nobody registered yet waits for its registration. */
export const DEFAULT_REGISTRATION_WAIT_MS = 10_000;
export const RUN_HEADER = 'x-baton-run-id';
export const STEP_HEADER = 'x-baton-step-seq';

/** One model call a run made, and what it got. */
export interface ModelCallRecord {
  /** 1-based, per run. */
  call: number;
  /** `x-baton-step-seq`, when sent. */
  stepSeq?: number;
  /** What the script answered: `reply`, `text`, `status 500`, or the error when none was left. */
  answered: string;
  /** False when the run asked more times than scripted (it got a 500). */
  scripted: boolean;
}

/** A run's script and the calls made against it. */
export class RunScript {
  readonly calls: ModelCallRecord[] = [];
  private next = 0;

  constructor(private readonly steps: readonly ModelStep[]) {}

  get scripted(): number {
    return this.steps.length;
  }

  /** The calls beyond the script (each got HTTP 500 "no scripted reply left"). */
  get extra(): number {
    return this.calls.filter((call) => !call.scripted).length;
  }

  /** Scripted replies nobody asked for. */
  get unused(): number {
    return this.steps.length - this.next;
  }

  take(stepSeq: number | undefined): ModelStep | undefined {
    const step = this.steps[this.next];
    if (step) this.next += 1;
    this.calls.push({
      call: this.calls.length + 1,
      ...(stepSeq !== undefined ? { stepSeq } : {}),
      answered: step ? describeStep(step) : 'HTTP 500 no scripted reply left',
      scripted: step !== undefined,
    });
    return step;
  }
}

export function describeStep(step: ModelStep): string {
  if ('reply' in step) return 'reply';
  if ('text' in step) return 'text';
  return `status ${step.status}`;
}

export class ModelPortBusyError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is in use`);
    this.name = 'ModelPortBusyError';
  }
}

/**
 * The scripted model `baton cases` hosts: an OpenAI-compatible `POST /v1/chat/completions`
 * on loopback that answers each call from the script of the run named by the request's
 * `x-baton-run-id` header, in order. The decision service must use it as its model
 * (OPENAI_BASE_URL=http://127.0.0.1:<port>/v1). A call for a run not registered yet waits
 * for the registration (the trigger answer and the first model call race); a call beyond the
 * script gets HTTP 500 "no scripted reply left".
 */
export class ScriptedModelServer {
  private readonly scripts = new Map<string, RunScript>();
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly open = new Set<ServerResponse>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly registrationWaitMs = DEFAULT_REGISTRATION_WAIT_MS) {}

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Listens on 127.0.0.1:<port> (0: any free port); ModelPortBusyError when it is taken. */
  async start(port: number): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new ModelPortBusyError(port) : error),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** The run's script from now on; calls that waited for it are answered. */
  register(runId: string, steps: readonly ModelStep[]): RunScript {
    const script = new RunScript(steps);
    this.scripts.set(runId, script);
    for (const wake of this.waiting.get(runId) ?? []) wake();
    this.waiting.delete(runId);
    return script;
  }

  /** Calls waiting for their run's registration. */
  get waitingCalls(): number {
    return [...this.waiting.values()].reduce((sum, waiters) => sum + waiters.length, 0);
  }

  unregister(runId: string): void {
    this.scripts.delete(runId);
  }

  async stop(): Promise<void> {
    for (const wake of [...this.waiting.values()].flat()) wake();
    this.waiting.clear();
    for (const res of this.open) res.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    let body: Record<string, unknown> = {};
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return error(res, 400, 'the request body is not JSON', 'invalid_request_error');
    }
    if (req.method !== 'POST' || !req.url?.replace(/\?.*$/, '').endsWith('/chat/completions')) {
      return error(
        res,
        404,
        `no route ${req.method} ${req.url}: only POST /v1/chat/completions`,
        'invalid_request_error',
      );
    }
    const runId = header(req, RUN_HEADER);
    if (!runId) {
      return error(
        res,
        400,
        `no ${RUN_HEADER} header: the scripted model answers per run (a decision service that sends it is needed)`,
        'invalid_request_error',
      );
    }
    const script = await this.scriptFor(runId);
    if (!script) {
      return error(
        res,
        500,
        `no script for run ${runId}: not started by this baton cases (waited ${this.registrationWaitMs / 1000} s)`,
        'server_error',
      );
    }
    const seq = Number(header(req, STEP_HEADER));
    const step = script.take(Number.isInteger(seq) ? seq : undefined);
    if (!step) return error(res, 500, 'no scripted reply left', 'server_error');
    if ('status' in step) return error(res, step.status, `scripted ${step.status}`, 'server_error');
    const content = 'reply' in step ? JSON.stringify(step.reply) : step.text;
    send(res, 200, completion(content, String(body['model'] ?? 'scripted'), script.calls.length));
  }

  /** The run's script, waiting for its registration up to the limit. */
  private async scriptFor(runId: string): Promise<RunScript | undefined> {
    const known = this.scripts.get(runId);
    if (known) return known;
    await new Promise<void>((resolve) => {
      const waiters = this.waiting.get(runId) ?? [];
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        // Given up: no longer waiting.
        const left = (this.waiting.get(runId) ?? []).filter((wake) => wake !== done);
        if (left.length) this.waiting.set(runId, left);
        else this.waiting.delete(runId);
        done();
      }, this.registrationWaitMs);
      timer.unref();
      waiters.push(done);
      this.waiting.set(runId, waiters);
    });
    return this.scripts.get(runId);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/** A chat completion as the OpenAI API answers one. */
function completion(content: string, model: string, n: number) {
  return {
    id: `chatcmpl-baton-cases-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

function error(res: ServerResponse, status: number, message: string, type: string): void {
  send(res, status, { error: { message, type } });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
