import { Setting } from '@baton/config';

/** Database settings every service reads from its environment. */
export class PersistenceConfig {
  @Setting({
    env: 'DATABASE_URL',
    type: 'url',
    secret: true,
    description:
      'Postgres connection URL (`postgres://user:password@host:5432/db`). Each service uses its own schema in it.',
  })
  databaseUrl!: string;

  @Setting({
    env: 'BATON_DB_CONNECTIONS',
    type: 'int',
    default: 0,
    min: 0,
    max: 10_000,
    description:
      "The connections this process may open to Postgres, all its pools together: its own schema's pool and, for the context and action services, the business database's. The pools are derived from it (the business pool gets a quarter, at least 2). 0: derived from the in-flight limit instead (BATON_CONCURRENCY + 4, plus 10 for the business pool). Checked against the server's max_connections at start: a budget the server cannot ever grant stops the start, naming the numbers. The budgets of every process on one server must fit its max_connections together: `npm run start:distributed` derives them from the server's capacity.",
  })
  connections!: number;

  @Setting({
    env: 'DATABASE_POOL_SIZE',
    type: 'int',
    default: 0,
    min: 0,
    description:
      'Connections of this process to its own schema; 0 means derived from BATON_DB_CONNECTIONS. Every in-flight record holds one for its transaction, so a pool smaller than the in-flight limit caps it (a warning says so at start).',
  })
  poolSize!: number;
}
