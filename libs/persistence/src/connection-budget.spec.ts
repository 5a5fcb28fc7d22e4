import { describe, expect, it } from 'vitest';
import { capacityProblem, connectionBudget, splitConnections } from './connection-budget.js';

const base = { connections: 0, poolSize: 0, businessPoolSize: 0, concurrency: 16, business: false };

describe(connectionBudget.name, () => {
  it('derives the pools from the in-flight limit when no budget is set', () => {
    expect(connectionBudget(base)).toEqual({
      ok: true,
      budget: { total: 20, baton: 20, business: 0 },
    });
    expect(connectionBudget({ ...base, business: true })).toEqual({
      ok: true,
      budget: { total: 30, baton: 20, business: 10 },
    });
  });

  it('splits one budget between the pools: a quarter, at least 2, for the business database', () => {
    expect(connectionBudget({ ...base, connections: 18, business: true })).toEqual({
      ok: true,
      budget: { total: 18, baton: 14, business: 4 },
    });
    expect(connectionBudget({ ...base, connections: 6, business: true })).toEqual({
      ok: true,
      budget: { total: 6, baton: 4, business: 2 },
    });
    expect(connectionBudget({ ...base, connections: 12 })).toEqual({
      ok: true,
      budget: { total: 12, baton: 12, business: 0 },
    });
  });

  it('refuses explicit pools that do not fit the budget, or a budget that leaves too little', () => {
    expect(
      connectionBudget({
        ...base,
        connections: 20,
        poolSize: 18,
        businessPoolSize: 5,
        business: true,
      }),
    ).toEqual({
      ok: false,
      problems: [
        'DATABASE_POOL_SIZE 18 + BUSINESS_DATABASE_POOL_SIZE 5 is more than BATON_DB_CONNECTIONS 20: raise the budget or lower the pools (0 derives them from the budget)',
      ],
    });
    expect(connectionBudget({ ...base, connections: 3, business: true })).toMatchObject({
      ok: false,
    });
  });
});

describe(capacityProblem.name, () => {
  const server = { maxConnections: 100, reserved: 3, open: 40 };
  it('is fatal for a budget the server can never grant, with the numbers', () => {
    expect(capacityProblem({ total: 120 }, server, '127.0.0.1:5432/test')).toEqual({
      fatal:
        'BATON_DB_CONNECTIONS: this process may open 120 connections to 127.0.0.1:5432/test, which allows 97 (max_connections 100 − 3 reserved); lower BATON_DB_CONNECTIONS or raise max_connections',
    });
  });

  it('warns when the budget does not fit beside what is open, and is quiet when it does', () => {
    expect(capacityProblem({ total: 60 }, server, 'db').warning).toMatch(
      /^this process may open 60 connections to db; 40 are open already and the server allows 97/,
    );
    expect(capacityProblem({ total: 20 }, server, 'db')).toEqual({});
  });
});

describe(splitConnections.name, () => {
  it('splits a total by weight, never above it', () => {
    const split = splitConnections(87, { trigger: 3, context: 4, action: 4, escalation: 2 });
    expect(split).toEqual({
      ok: true,
      shares: { trigger: 20, context: 26, action: 26, escalation: 13 },
    });
  });

  it('says when a total is too small for every process', () => {
    expect(splitConnections(10, { a: 1, b: 1, c: 1 })).toEqual({
      ok: false,
      problem: '10 connections for 3 processes leaves 3 for one of them; each needs at least 4',
    });
  });
});
