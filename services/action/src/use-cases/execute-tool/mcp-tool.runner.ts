import { Injectable } from '@nestjs/common';
import { McpServers, McpToolError } from '@baton/mcp';
import { renderMcpArguments, type Scope, type ToolGrantSpec } from '@baton/workflow';
import { ToolCallError } from './tool-error.js';
import type { ToolRunner } from './tool-runner.js';

/**
 * `kind: mcp`: one call of a tool of an MCP server the deployment declares. The arguments are
 * the grant's `arguments` template rendered over the call's scope, or else the proposal's
 * `args` as they are; the server's input schema checks them before anything is sent. A write
 * carries its idempotency key in `_meta` (`baton/idempotency-key`), the same on every attempt,
 * for a server that honours it. Failures keep the MCP client's verdict on another attempt.
 */
@Injectable()
export class McpToolRunner implements ToolRunner {
  constructor(private readonly servers: McpServers) {}

  async run(grant: ToolGrantSpec, scope: Scope): Promise<Record<string, unknown>> {
    const args = grant.arguments
      ? renderMcpArguments(grant.arguments, scope).args
      : ((scope['args'] ?? {}) as Record<string, unknown>);
    try {
      return await this.servers.call(grant.server ?? '', grant.tool ?? '', args, {
        ...(grant.access === 'write' ? { idempotencyKey: String(scope['key']) } : {}),
        ...(grant.timeoutMs ? { timeoutMs: grant.timeoutMs } : {}),
      });
    } catch (error) {
      if (error instanceof McpToolError) throw new ToolCallError(error.message, error.transient);
      throw error;
    }
  }
}
