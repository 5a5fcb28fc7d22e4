// Test-only: an HTTP proxy in front of the scripted model that counts the calls at it at once.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Forwards every request to `upstream` and counts those in flight: from the request's arrival
 * to the end of its response. `peak` is the most ever at once, so a limit that was broken for
 * a moment shows, whatever the test looks at afterwards.
 */
export class CountingProxy {
  inFlight = 0;
  peak = 0;
  private server: Server | undefined;
  url = '';

  constructor(private readonly upstream: () => string) {}

  /** The `baseURL` for the openai SDK. */
  get baseURL(): string {
    return `${this.url}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((incoming, outgoing) => {
      this.inFlight += 1;
      this.peak = Math.max(this.peak, this.inFlight);
      let counted = true;
      const done = () => {
        if (!counted) return;
        counted = false;
        this.inFlight -= 1;
      };
      outgoing.on('close', done);
      const target = new URL(incoming.url ?? '/', this.upstream());
      const forwarded = request(
        target,
        { method: incoming.method, headers: { ...incoming.headers, host: target.host } },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', () => outgoing.destroy());
      incoming.pipe(forwarded);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
