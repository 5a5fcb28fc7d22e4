import { Injectable } from '@nestjs/common';
import type { Scope, ToolGrantSpec, ToolKind } from '@baton/workflow';
import { HttpToolRunner } from './http-tool.runner.js';
import { KnowledgeToolRunner } from './knowledge-tool.runner.js';
import { McpToolRunner } from './mcp-tool.runner.js';
import { SqlToolRunner } from './sql-tool.runner.js';
import type { ToolRunner } from './tool-runner.js';

/**
 * Runs one granted tool with the runner of its kind. A new kind is one more runner here: the
 * record type makes a kind without one a compile error. Throws what the runner throws; the
 * caller decides whether that is a failed result or worth a retry.
 */
@Injectable()
export class ToolExecutor {
  private readonly runners: Record<ToolKind, ToolRunner>;

  constructor(
    sql: SqlToolRunner,
    knowledge: KnowledgeToolRunner,
    http: HttpToolRunner,
    mcp: McpToolRunner,
  ) {
    this.runners = { sql, knowledge, http, mcp };
  }

  execute(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    return this.runners[grant.kind].run(grant, scope);
  }
}

/** The runners the executor needs, for the module's providers. */
export const TOOL_RUNNERS = [SqlToolRunner, KnowledgeToolRunner, HttpToolRunner, McpToolRunner];
