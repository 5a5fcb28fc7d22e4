import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDebianPackage } from './debian-package.js';
import { freePort } from './environment.js';

const run = promisify(execFile);

/** Debian's `prometheus` package (the server and promtool), installed when missing. */
export async function ensurePrometheus(): Promise<void> {
  await ensureDebianPackage('prometheus', { command: 'prometheus', args: ['--version'] });
}

/** `promtool check rules <file>`: resolves with its output, rejects naming what is wrong. */
export async function checkPrometheusRules(file: string): Promise<string> {
  await ensurePrometheus();
  const { stdout } = await run('promtool', ['check', 'rules', file]);
  return stdout;
}

/** A Prometheus server of the test's own: a temp config and storage, a free loopback port. */
export class PrometheusServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'baton-prometheus-'));
  url = '';

  /** Scrapes `targets` (`host:port`, each serving /metrics) every second. */
  async start(targets: Record<string, string>): Promise<this> {
    await ensurePrometheus();
    const port = await freePort();
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: baton',
      '    metrics_path: /metrics',
      '    static_configs:',
      ...Object.entries(targets).flatMap(([service, target]) => [
        `      - targets: ['${target}']`,
        `        labels: { service: ${service} }`,
      ]),
    ].join('\n');
    writeFileSync(join(this.dir, 'prometheus.yml'), `${config}\n`);
    this.url = `http://127.0.0.1:${port}`;
    this.child = spawn(
      'prometheus',
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    return this;
  }

  /** An instant PromQL query: the result vector (empty while nothing matches). */
  async query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error}`);
    return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
