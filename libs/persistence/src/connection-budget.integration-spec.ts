import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityProblem, serverCapacity } from './connection-budget.js';

// @baton/testing builds on this library, so this spec takes the test database from the
// environment its global setup fills in rather than importing it.
describe('connection budget against the real Postgres', () => {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set: run integration tests through `npm test`');
  const dataSource = new DataSource({ type: 'postgres', url });
  beforeAll(() => dataSource.initialize());
  afterAll(() => dataSource.destroy());

  it("reads the server's limits, and a budget above them stops the start with the numbers", async () => {
    const capacity = await serverCapacity(dataSource);
    const [{ max_connections: max }] = (await dataSource.query('SHOW max_connections')) as Array<{
      max_connections: string;
    }>;
    expect(capacity.maxConnections).toBe(Number(max));
    expect(capacity.open).toBeGreaterThanOrEqual(1); // this test's own connection
    const allowed = capacity.maxConnections - capacity.reserved;
    expect(capacityProblem({ total: allowed + 1 }, capacity, 'test').fatal).toContain(
      `which allows ${allowed} (max_connections ${capacity.maxConnections} − ${capacity.reserved} reserved)`,
    );
    expect(capacityProblem({ total: 1 }, capacity, 'test').fatal).toBeUndefined();
  });
});
