import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import { CurrentPrincipal, InputErrorCode, Roles, type Principal } from '@baton/service-kit';
import { ApproveTaskDto } from './dto/approve-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { RejectTaskDto } from './dto/reject-task.dto.js';
import { requestValidationPipe } from './dto/validation.pipe.js';
import { EscalationErrorMapping } from './escalation.exception.js';
import type { TaskDetail } from '../domain/task.js';
import { ApproveTaskUseCase } from '../use-cases/approve-task/approve-task.use-case.js';
import { ClaimTaskUseCase } from '../use-cases/claim-task/claim-task.use-case.js';
import { GetTaskUseCase } from '../use-cases/get-task/get-task.use-case.js';
import { ListTasksUseCase, type TaskPage } from '../use-cases/list-tasks/list-tasks.use-case.js';
import { RejectTaskUseCase } from '../use-cases/reject-task/reject-task.use-case.js';
import { ReleaseTaskUseCase } from '../use-cases/release-task/release-task.use-case.js';

/** The reviewers' API: the task queue, one task, its claim, and its approval or rejection. */
@Roles('reviewer')
@UsePipes(requestValidationPipe())
@UseInterceptors(EscalationErrorMapping)
@Controller('v1/tasks')
@InputErrorCode('invalid-request')
export class TasksController {
  constructor(
    private readonly listTasks: ListTasksUseCase,
    private readonly getTask: GetTaskUseCase,
    private readonly approveTask: ApproveTaskUseCase,
    private readonly rejectTask: RejectTaskUseCase,
    private readonly claimTask: ClaimTaskUseCase,
    private readonly releaseTask: ReleaseTaskUseCase,
  ) {}

  @Get()
  list(@Query() query: ListTasksQuery): Promise<TaskPage> {
    return this.listTasks.execute(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<TaskDetail> {
    return this.getTask.execute(id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  claim(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TaskDetail> {
    return this.claimTask.execute(id, principal);
  }

  @Post(':id/release')
  @HttpCode(200)
  release(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TaskDetail> {
    return this.releaseTask.execute(id, principal);
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(
    @Param('id') id: string,
    @Body() body: ApproveTaskDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TaskDetail> {
    return this.approveTask.execute(id, body, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(
    @Param('id') id: string,
    @Body() body: RejectTaskDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TaskDetail> {
    return this.rejectTask.execute(id, body, principal);
  }
}
