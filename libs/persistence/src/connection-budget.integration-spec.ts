import { DataSource } from 'typeorm';
import { testDatabaseUrl } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityProblem, serverCapacity } from './connection-budget.js';

describe('connection budget against the real Postgres', () => {
  const dataSource = new DataSource({ type: 'postgres', url: testDatabaseUrl() });
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
