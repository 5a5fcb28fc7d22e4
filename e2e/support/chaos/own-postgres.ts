// A Postgres server of the chaos run's own: a fresh cluster (initdb) in a temporary directory, on
// a free port, that the run may restart at will — never the shared server other work uses.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian puts the server binaries; PG_BIN_DIR points elsewhere. */
const BIN = process.env['PG_BIN_DIR'] ?? '/usr/lib/postgresql/15/bin';

export class OwnPostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(root: string, port: number): Promise<OwnPostgres> {
    const dir = join(root, 'postgres');
    mkdirSync(dir, { recursive: true });
    // Postgres refuses to run as root: as root, the cluster belongs to the postgres user.
    if (process.getuid?.() === 0) {
      chmodSync(root, 0o711); // the postgres user must reach its directory inside
      chownSync(dir, ...postgresIds());
    }
    const server = new OwnPostgres(port, dir);
    await server.pg(`${BIN}/initdb`, [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await server.ctl('start');
    return server;
  }

  /** Stops the server the way a crash would (immediate: no checkpoint), then starts it. */
  async restart(): Promise<void> {
    await this.ctl('stop', ['-m', 'immediate']);
    await this.ctl('start');
  }

  async remove(): Promise<void> {
    await this.ctl('stop', ['-m', 'fast']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private ctl(command: 'start' | 'stop', extra: string[] = []): Promise<unknown> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`;
    return this.pg(`${BIN}/pg_ctl`, [
      command,
      '-D',
      join(this.dir, 'data'),
      '-w',
      '-t',
      '60',
      ...(command === 'start' ? ['-o', options, '-l', join(this.dir, 'server.log')] : []),
      ...extra,
    ]);
  }

  private pg(binary: string, args: string[]) {
    return process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', binary, ...args], { cwd: this.dir })
      : run(binary, args, { cwd: this.dir });
  }
}

function postgresIds(): [number, number] {
  // `id -u postgres` without a child process: /etc/passwd is the source on Debian.
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user: install the postgresql server package');
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
