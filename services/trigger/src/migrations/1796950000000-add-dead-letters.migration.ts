import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters (docs/operations.md#dead-letters): every record that lies in a dead-letter topic
 * (`<topic>.dlq`), collected by the trigger service so an admin can list them by topic and
 * reason and replay one once its cause is fixed. One row per record, by where it lies (topic,
 * partition, offset); `replays` counts the times it was sent back to its source topic.
 */
export class AddDeadLetters1796950000000 implements MigrationInterface {
  name = 'AddDeadLetters1796950000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE dead_letters (
        id               uuid        PRIMARY KEY,
        topic            text        NOT NULL,
        partition        integer     NOT NULL,
        "offset"         bigint      NOT NULL,
        source_topic     text        NOT NULL,
        reason           text        NOT NULL,
        errors           jsonb       NOT NULL,
        consumer         text,
        attempts         integer,
        failed_at        timestamptz NOT NULL,
        record_key       text,
        record_value     bytea,
        headers          jsonb       NOT NULL,
        collected_at     timestamptz NOT NULL DEFAULT now(),
        replays          integer     NOT NULL DEFAULT 0,
        replayed_at      timestamptz,
        replayed_by      text,
        UNIQUE (topic, partition, "offset")
      )`);
    // The list is newest first by id (UUIDv7, in the order collected): the primary key serves it.
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE dead_letters`);
  }
}
