#!/usr/bin/env node
// The `baton` command. Runs the built CLI (libs/cli/dist/, which `npm install` makes: see
// built-cli.mjs) while it is fresh, else the TypeScript sources through tools/ts-register.mjs
// (SWC), as after an edit. Node 24 is required (`npm run baton -- …` and `npx baton` provide it).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `baton needs Node.js 24 or newer; this is ${process.version} (${process.execPath}).\n` +
      "In the Baton repository run `npm run baton -- <command>`, which uses the project's Node 24,\n" +
      'or put Node 24 first on PATH (export PATH="$PWD/node_modules/.bin:$PATH").\n',
  );
  process.exit(2);
}
const { freshBuild } = await import('./built-cli.mjs');
const built = freshBuild();
let main;
if (built) {
  ({ main } = await import(built));
} else {
  await import('../../../tools/ts-register.mjs');
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
