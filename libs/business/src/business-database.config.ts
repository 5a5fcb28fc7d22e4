import { Setting } from '@baton/config';

/** Where the business system lives: what context sources read and granted tools act on. */
export class BusinessDatabaseConfig {
  @Setting({
    env: 'BUSINESS_DATABASE_URL',
    type: 'url',
    secret: true,
    default: '',
    description:
      "Postgres URL of the business system that workflows' context sources read and granted tools act on; empty means DATABASE_URL.",
  })
  businessDatabaseUrl!: string;

  @Setting({
    env: 'BUSINESS_DATABASE_POOL_SIZE',
    type: 'int',
    default: 0,
    min: 0,
    max: 1_000,
    description:
      'Connections to the business database per process (context and action services); 0 means derived from BATON_DB_CONNECTIONS. The sources of one step run concurrently, each on its own connection.',
  })
  businessPoolSize!: number;
}
