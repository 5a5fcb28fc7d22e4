// Runs the TypeScript sources directly on Node 24 (development, tests' child processes):
// `node --import ./tools/ts-register.mjs services/<name>/src/main.ts`. SWC compiles each
// file with decorator metadata (which Node's own type stripping does not support) and
// `@baton/<lib>` resolves to libs/<lib>/src. Production runs the tsc build instead.
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from '@swc/core';

const root = new URL('../', import.meta.url);
const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

registerHooks({
  resolve(specifier, context, nextResolve) {
    const lib = /^@baton\/([a-z-]+)(\/testing)?$/.exec(specifier);
    if (lib) {
      const entry = lib[2] ? 'testing/index.ts' : 'index.ts';
      return { url: new URL(`libs/${lib[1]}/src/${entry}`, root).href, shortCircuit: true };
    }
    if (
      specifier.startsWith('.') &&
      specifier.endsWith('.js') &&
      context.parentURL?.endsWith('.ts')
    ) {
      const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (existsSync(candidate)) return { url: candidate.href, shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
  load(url, context, nextLoad) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
    const filename = fileURLToPath(url);
    const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename });
    return { format: 'module', source: code, shortCircuit: true };
  },
});

export const repoRoot = pathToFileURL(fileURLToPath(root));
