import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ToolResult } from '@baton/contracts';

export interface ToolCall {
  idempotencyKey: string;
  runId: string;
  tool: string;
  args: Record<string, unknown>;
  result: ToolResult;
}

/** The `tool_calls` table, always through the handler's transaction (`ctx.manager`). */
@Injectable()
export class ToolCallsRepository {
  async find(
    manager: EntityManager,
    idempotencyKey: string,
  ): Promise<Pick<ToolCall, 'args' | 'result'> | undefined> {
    const rows: Array<Pick<ToolCall, 'args' | 'result'>> = await manager.query(
      'SELECT args, result FROM tool_calls WHERE idempotency_key = $1',
      [idempotencyKey],
    );
    return rows[0];
  }

  async record(manager: EntityManager, call: ToolCall): Promise<void> {
    await manager.query(
      `INSERT INTO tool_calls (idempotency_key, run_id, tool, args, status, result, simulated)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        call.idempotencyKey,
        call.runId,
        call.tool,
        JSON.stringify(call.args),
        call.result.status,
        JSON.stringify(call.result),
        call.result.status === 'simulated',
      ],
    );
  }
}
