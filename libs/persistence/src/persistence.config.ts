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
    env: 'DATABASE_POOL_SIZE',
    type: 'int',
    default: 0,
    min: 0,
    description:
      'Connections per process; 0 means BATON_CONCURRENCY + 4. Every in-flight record holds one connection for its transaction, so a pool smaller than the in-flight limit caps it. The pools of every service instance on one server (plus their BUSINESS_DATABASE_POOL_SIZE) must fit its max_connections: a refused connection is waited out, never dead-lettered, but it stalls the service.',
  })
  poolSize!: number;
}

/** The pool size to use for an in-flight limit, when the setting is 0 (automatic). */
export function poolSizeFor(config: PersistenceConfig, concurrency: number): number {
  return config.poolSize || concurrency + 4;
}
