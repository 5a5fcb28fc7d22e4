import type { Duplex } from 'node:stream';

/**
 * Opens one connection to a Postgres that lives in this process (embedded mode's PGlite): an
 * in-memory stream that speaks the wire protocol, which `pg` takes instead of a socket.
 */
export type InProcessConnector = () => Duplex;

// On globalThis, not in this module: a process that loads this file twice (a benchmark running
// Baton from another tree) still has one registry.
const REGISTRY = Symbol.for('baton.persistence.inProcessPostgres');

function registry(): Map<string, InProcessConnector> {
  const holder = globalThis as { [REGISTRY]?: Map<string, InProcessConnector> };
  return (holder[REGISTRY] ??= new Map());
}

/**
 * Makes `url` name a database of this process: `pg` clients opened with
 * `inProcessConnection(url)` connect through `connect()` instead of a socket. Returns the
 * undoing call (the database is stopping).
 */
export function registerInProcessPostgres(url: string, connect: InProcessConnector): () => void {
  registry().set(url, connect);
  return () => {
    if (registry().get(url) === connect) registry().delete(url);
  };
}

/**
 * What a `pg` Client or Pool config (or TypeORM's `extra`) needs to reach `url`: `{ stream }`
 * when `url` names a database of this process, nothing otherwise. Spread it into the config.
 */
export function inProcessConnection(url: string): { stream?: InProcessConnector } {
  const connect = registry().get(url);
  return connect ? { stream: connect } : {};
}
