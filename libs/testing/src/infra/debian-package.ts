import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Makes a real client the tests drive (kcat, prometheus, chromium) present: nothing when
 * `probe` runs, else Debian's package installed with `apt-get install -y` as root (after an
 * `apt-get update` if the first attempt fails), else an error saying how to install it.
 */
export async function ensureDebianPackage(
  pkg: string,
  probe: { command: string; args: string[] },
  timeoutMs = 600_000,
): Promise<void> {
  const present = await run(probe.command, probe.args).then(
    () => true,
    () => false,
  );
  if (present) return;
  if (process.getuid?.() !== 0)
    throw new Error(`${pkg} is missing: install it with \`apt-get install ${pkg}\``);
  process.stdout.write(`installing ${pkg} (apt-get install ${pkg})…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], {
      env,
      timeout: timeoutMs,
    });
  await install().catch(async () => {
    await run('apt-get', ['update', '-q']);
    await install();
  });
}
