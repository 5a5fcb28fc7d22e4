import { MESSAGING_MIGRATIONS } from '@baton/messaging';
import { openDatabase } from '@baton/persistence';
import { freshSchema } from '@baton/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateTasks1764158400000 } from './1764158400000-create-tasks.migration.js';

describe(CreateTasks1764158400000.name, () => {
  const schema = freshSchema('esc-migration');
  afterAll(() => schema.drop());

  it('creates the tasks table and is reversible', async () => {
    const dataSource = await openDatabase({
      url: schema.url,
      schema: schema.schema,
      migrations: [...MESSAGING_MIGRATIONS, CreateTasks1764158400000],
    });
    const tasksTable = async () =>
      (await dataSource.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'tasks'`,
        [schema.schema],
      )) as Array<{ n: number }>;
    try {
      expect(await tasksTable()).toEqual([{ n: 1 }]);
      await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await tasksTable()).toEqual([{ n: 0 }]);
      await dataSource.runMigrations({ transaction: 'each' });
      expect(await tasksTable()).toEqual([{ n: 1 }]);
    } finally {
      await dataSource.destroy();
    }
  });
});
