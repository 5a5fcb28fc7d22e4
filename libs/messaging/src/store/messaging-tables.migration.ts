import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox (what this service has handled, by message id) and the outbox (what it must
 * still publish) live in the service's own schema, beside its business tables, so both
 * are written in the same transaction as the handler's own writes.
 */
export class CreateMessagingTables1764057600000 implements MigrationInterface {
  name = 'CreateMessagingTables1764057600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE inbox (
        consumer    text        NOT NULL,
        message_id  text        NOT NULL,
        topic       text        NOT NULL,
        partition   integer     NOT NULL,
        "offset"    bigint      NOT NULL,
        handled_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
    await runner.query(`CREATE INDEX inbox_handled_at_idx ON inbox (handled_at)`);
    await runner.query(`
      CREATE TABLE outbox (
        id          uuid        PRIMARY KEY,
        topic       text        NOT NULL,
        key         text,
        value       text        NOT NULL,
        headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX outbox_created_at_idx ON outbox (created_at, id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE outbox`);
    await runner.query(`DROP TABLE inbox`);
  }
}

/** Migrations every service that consumes or emits messages includes in its own list. */
export const MESSAGING_MIGRATIONS = [CreateMessagingTables1764057600000];
