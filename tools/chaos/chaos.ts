// `npm run chaos -- [--runs 1000] [--rate 10] [--rounds 3] [--settle 180] [--short] [--json]`:
// the fault suite (e2e/support/chaos/run-chaos.ts) with a table at the end; exit 1 when a run was lost
// or stuck or a write happened twice. --short is the form the test suite runs (60 runs, one
// round of faults). Needs what the tests need: Java 17 (the broker), the PostgreSQL server
// binaries (PG_BIN_DIR, default /usr/lib/postgresql/15/bin) and, as root, the postgres user.
import { parseArgs } from 'node:util';
import { chaosTable, runChaos } from '../../e2e/support/chaos/run-chaos.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    rate: { type: 'string' },
    rounds: { type: 'string' },
    settle: { type: 'string' },
    short: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const short = values.short === true;
const result = await runChaos({
  runs: Number(values.runs ?? (short ? 60 : 1000)),
  ratePerSecond: Number(values.rate ?? (short ? 5 : 10)),
  faultRounds: Number(values.rounds ?? (short ? 1 : 3)),
  settleSeconds: Number(values.settle ?? (short ? 120 : 180)),
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `\n${chaosTable(result)}\n`);
const clean = result.lost === 0 && result.stuck === 0 && result.duplicateWrites === 0;
if (!clean) {
  for (const duplicate of result.duplicates) process.stderr.write(`chaos: twice: ${duplicate}\n`);
  process.stderr.write(`chaos: not clean; the services' logs are in ${result.logDir}\n`);
}
process.exit(clean ? 0 : 1);
