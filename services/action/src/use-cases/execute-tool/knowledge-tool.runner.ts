import { Injectable } from '@nestjs/common';
import { BusinessDatabase, searchKnowledge } from '@baton/business';
import { getPath, type Scope, type ToolGrantSpec } from '@baton/workflow';
import { ActionConfig } from '../../config/action.config.js';
import { ToolInputError } from './tool-error.js';
import type { ToolRunner } from './tool-runner.js';

const DEFAULT_PASSAGE_LIMIT = 5;

/** `kind: knowledge`: a search of a document collection; the output is `{ passages }`. */
@Injectable()
export class KnowledgeToolRunner implements ToolRunner {
  constructor(
    private readonly database: BusinessDatabase,
    private readonly config: ActionConfig,
  ) {}

  async run(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    const path = grant.params?.[0] ?? '';
    const text = getPath(scope, path);
    if (typeof text !== 'string' || text.trim() === '') {
      throw new ToolInputError(`${path} has no text to search for`);
    }
    const passages = await searchKnowledge(this.database, {
      collection: grant.collection ?? '',
      text,
      limit: DEFAULT_PASSAGE_LIMIT,
      minScore: 0,
      timeoutMs: this.config.toolTimeoutMs,
    });
    return { passages };
  }
}
