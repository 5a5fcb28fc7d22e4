// The built `baton` CLI: libs/cli/src/main.ts and everything it imports (the @baton libraries
// and their npm dependencies) bundled by rolldown into libs/cli/dist/, so that a call starts
// without compiling TypeScript. `npm install` builds it (the root `prepare` script runs this
// file); `npm run build:cli` builds it again. The launcher (bin/baton.mjs) runs the build only
// while it is fresh, that is newer than every file it was built from, and the sources otherwise,
// so an edited source is never run stale.
//
// Plain JavaScript on purpose: `prepare` may run before anything can compile TypeScript, and on
// an older Node (a production install without the devDependencies), where it does nothing.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(REPO_ROOT, 'libs/cli/src/main.ts');

/** Where `npm install` puts the build. */
export const BUILD_DIR = join(REPO_ROOT, 'libs/cli/dist');
/** The built entry, in the build folder (it runs on its own as well: `node <it> --help`). */
export const ENTRY = 'baton.mjs';
/** What the build was made from and when: `{ builtAt, inputs }` (paths from the repository root). */
const MANIFEST = 'build.json';

/**
 * The built entry in `dir` if it is fresh: every file it was built from (its sources, the lock
 * file that pins its dependencies, this builder) is there and unchanged since the build.
 * Undefined when there is no build, or it is stale.
 */
export function freshBuild(dir = BUILD_DIR) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
  } catch {
    return undefined;
  }
  const { builtAt, inputs } = manifest ?? {};
  if (typeof builtAt !== 'number' || !Array.isArray(inputs) || inputs.length === 0) {
    return undefined;
  }
  for (const input of inputs) {
    try {
      if (statSync(join(REPO_ROOT, input)).mtimeMs > builtAt) return undefined;
    } catch {
      return undefined; // gone, or renamed
    }
  }
  const entry = join(dir, ENTRY);
  return existsSync(entry) ? entry : undefined;
}

/**
 * Bundles the CLI into `outDir` (replacing what is there only once the new build is complete,
 * so a CLI started meanwhile runs the old build or the sources, never half of one). Resolves to
 * the built entry.
 */
export async function buildCli({ outDir = BUILD_DIR } = {}) {
  const { rolldown } = await import('rolldown');
  // Before reading anything: a source saved during the build counts as newer than it.
  const builtAt = Date.now();
  const bundle = await rolldown({
    input: MAIN,
    cwd: REPO_ROOT,
    platform: 'node',
    // `@baton/<lib>` paths, decorators and their metadata, as the type checker sees them.
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    plugins: [importMetaUrlFrom(outDir)],
    logLevel: 'warn',
  });
  const staging = `${outDir}.tmp-${process.pid}`;
  try {
    rmSync(staging, { recursive: true, force: true });
    const { output } = await bundle.write({
      dir: staging,
      format: 'esm',
      entryFileNames: ENTRY,
      chunkFileNames: '[name]-[hash].mjs',
    });
    const sources = new Set(
      output
        .flatMap((chunk) => (chunk.type === 'chunk' ? chunk.moduleIds : []))
        .filter((id) => isAbsolute(id) && !id.split(sep).includes('node_modules'))
        .map((id) => toPosix(relative(REPO_ROOT, id))),
    );
    const inputs = [
      ...[...sources].sort(),
      'package-lock.json',
      toPosix(relative(REPO_ROOT, THIS_FILE)),
    ];
    writeFileSync(join(staging, MANIFEST), `${JSON.stringify({ builtAt, inputs }, null, 2)}\n`);
    mkdirSync(dirname(outDir), { recursive: true });
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
  } finally {
    await bundle.close();
    rmSync(staging, { recursive: true, force: true });
  }
  return join(outDir, ENTRY);
}

/**
 * A bundled module no longer sits where its source did, so each `import.meta.url` (the CLI finds
 * the repository and `.baton/` from it) is rewritten to the URL of the module's own source file,
 * relative to the build folder.
 */
function importMetaUrlFrom(outDir) {
  return {
    name: 'baton:import-meta-url',
    transform(code, id) {
      if (!isAbsolute(id) || !code.includes('import.meta.url')) return null;
      const source = JSON.stringify(toPosix(relative(outDir, id)));
      return {
        code: code.replaceAll('import.meta.url', `new URL(${source}, import.meta.url).href`),
        map: null,
      };
    },
  };
}

function toPosix(path) {
  return path.split(sep).join('/');
}

/** `node libs/cli/bin/built-cli.mjs` (the `prepare` and `build:cli` scripts). */
async function buildFromCommandLine() {
  if (!existsSync(MAIN)) {
    // A Docker build installs from the package manifests alone: nothing to build there.
    process.stdout.write('baton CLI: no sources here (libs/cli/src), nothing to build\n');
    return;
  }
  try {
    await import('rolldown');
  } catch {
    // A production install (`--omit=dev`) has no bundler; the launcher runs the sources.
    process.stdout.write('baton CLI: not built (no rolldown: devDependencies not installed)\n');
    return;
  }
  const started = Date.now();
  const entry = await buildCli();
  process.stdout.write(
    `baton CLI built: ${toPosix(relative(REPO_ROOT, entry))} (${Date.now() - started} ms)\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  await buildFromCommandLine();
}
