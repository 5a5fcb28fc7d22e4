#!/usr/bin/env node
// The `baton` command: runs the CLI's TypeScript sources with the current Node through
// tools/ts-register.mjs (SWC). Node 24 is required (`npm run baton -- …` provides it).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `baton needs Node.js 24 or newer; this is ${process.version} (${process.execPath}).\n` +
      "In the Baton repository run `npm run baton -- <command>`, which uses the project's Node 24,\n" +
      'or put Node 24 first on PATH (export PATH="$PWD/node_modules/.bin:$PATH").\n',
  );
  process.exit(2);
}
await import('../../../tools/ts-register.mjs');
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
