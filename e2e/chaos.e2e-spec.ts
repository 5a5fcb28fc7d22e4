import { describe, expect, it } from 'vitest';
import { chaosTable, runChaos } from './support/chaos/run-chaos.js';

// The short form of `npm run chaos` (docs/reliability.md): a stream of runs through the six
// services while each is killed with SIGKILL and restarted, the broker is stopped and started,
// and the database restarted as after a crash — on a Postgres and a broker of its own.
describe('faults while runs stream through (npm run chaos, short form)', () => {
  it('loses no run, leaves none stuck, and makes no write twice', async () => {
    const lines: string[] = [];
    const result = await runChaos({
      runs: 60,
      ratePerSecond: 5,
      faultRounds: 1,
      settleSeconds: 240,
      log: (line) => lines.push(line),
    });
    const table = chaosTable(result);
    expect(result.faults).toEqual({ kills: 6, brokerRestarts: 1, databaseRestarts: 1 });
    expect(result.accepted, table).toBe(60);
    expect(result.lost, table).toBe(0);
    expect(result.stuck, table).toBe(0);
    expect(result.duplicates, table).toEqual([]);
    expect(result.ended + result.waitingForReview, table).toBe(60);
  }, 900_000);
});
