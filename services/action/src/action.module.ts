import { Module } from '@nestjs/common';
import { EndedRunsModule } from '@baton/service-kit';
import { EffectLedger } from '@baton/effects';
import { ActionController } from './inbound/action.controller.js';
import { ExecuteToolUseCase } from './use-cases/execute-tool/execute-tool.use-case.js';
import { ToolCallsRepository } from './store/tool-calls.repository.js';
import { TOOL_RUNNERS, ToolExecutor } from './use-cases/execute-tool/tool-executor.js';

/** The action service: executes granted tools, once per idempotency key, within their effect limits. */
@Module({
  imports: [EndedRunsModule],
  controllers: [ActionController],
  providers: [ExecuteToolUseCase, ToolExecutor, ...TOOL_RUNNERS, ToolCallsRepository, EffectLedger],
})
export class ActionModule {}
