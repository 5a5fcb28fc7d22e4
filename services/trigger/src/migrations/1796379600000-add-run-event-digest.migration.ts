import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `event_digest`: SHA-256 of the canonical JSON of the trigger event that started the run
 * (`triggerEventDigest` in libs/contracts), so a resend of its idempotency key can be told from
 * another event reusing the key (refused, 409). Null for runs recorded before this column:
 * they match any resend, as every resend did until now.
 */
export class AddRunEventDigest1796379600000 implements MigrationInterface {
  name = 'AddRunEventDigest1796379600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs ADD COLUMN event_digest text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE runs DROP COLUMN event_digest`);
  }
}
