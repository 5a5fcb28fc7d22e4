import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from '@baton/service-kit';

/**
 * Trigger instances share the database: this lock makes a workflow version's
 * check-then-publish atomic across them, so two different definitions can never both be
 * published under one version.
 */
@Injectable()
export class WorkflowPublishLock {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Runs `work` holding the lock of the workflow version `key` (`<id>@v<version>`), in a
   * transaction that ends (and releases it) when `work` settles.
   */
  holding<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`baton.workflow:${key}`]);
      return work();
    });
  }
}
