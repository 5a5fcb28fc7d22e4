// Baton embedded for the side-by-side benchmark (tools/bench/peer-bench.ts): what `npm start`
// runs (tools/start.ts) — the six services in this one process, in-process transport, in-memory
// PGlite seeded with the demo business data — with the keys and ports the bench gives it in the
// environment (BATON_API_KEYS, BATON_PORT_BASE), and without writing .baton/dev-keys.env.
// Baton's sources come from BENCH_BATON_ROOT (the working tree, or the commit the bench
// exported); run it with that tree's tools/ts-register.mjs. SIGTERM drains and stops.
import { pathToFileURL } from 'node:url';
import { seedBusinessData } from '@baton/testing';
import type * as Embedded from '../../../services/embedded/src/embedded-baton.js';

const batonRoot = process.env['BENCH_BATON_ROOT'] || new URL('../../../', import.meta.url).pathname;
const { startEmbeddedBaton, stopOnSignals } = (await import(
  pathToFileURL(`${batonRoot}services/embedded/src/embedded-baton.ts`).href
)) as typeof Embedded;

const baton = await startEmbeddedBaton({
  env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] || 'warn' },
  beforeServices: ({ businessDatabaseUrl }) => seedBusinessData(businessDatabaseUrl),
});
stopOnSignals(baton);
process.stdout.write(`embedded Baton up: ${baton.transport}, ${baton.database}\n`);
