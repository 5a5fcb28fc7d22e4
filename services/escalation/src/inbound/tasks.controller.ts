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
import { ApiOperation } from '@nestjs/swagger';
import {
  ApiAnswers,
  ApiQueryOf,
  CurrentPrincipal,
  InputErrorCode,
  Roles,
  schemaRef,
  type Principal,
} from '@baton/service-kit';
import { ApproveTaskDto } from './dto/approve-task.dto.js';
import { ListTasksQuery } from './dto/list-tasks.query.js';
import { RejectTaskDto } from './dto/reject-task.dto.js';
import { requestValidationPipe } from './dto/validation.pipe.js';
import { EscalationErrorMapping } from './escalation.exception.js';
import { TaskDetail } from '../domain/task.js';
import { ApproveTaskUseCase } from '../use-cases/approve-task/approve-task.use-case.js';
import { ClaimTaskUseCase } from '../use-cases/claim-task/claim-task.use-case.js';
import { GetTaskUseCase } from '../use-cases/get-task/get-task.use-case.js';
import { ListTasksUseCase, TaskPage } from '../use-cases/list-tasks/list-tasks.use-case.js';
import { RejectTaskUseCase } from '../use-cases/reject-task/reject-task.use-case.js';
import { ReleaseTaskUseCase } from '../use-cases/release-task/release-task.use-case.js';

/** What deciding, claiming or releasing a task may answer besides the task. */
const decisionAnswers = {
  200: {
    description: 'The task, as `GET /v1/tasks/{id}` answers it.',
    schema: schemaRef(TaskDetail),
  },
  404: '`task-not-found`.',
  409: '`task-not-open` (already decided or closed) or `task-claimed` (another reviewer holds it).',
};

/** The reviewers' API: the task queue, one task, its claim, and its approval or rejection. */
@Roles('reviewer')
@UsePipes(requestValidationPipe())
@UseInterceptors(EscalationErrorMapping)
@Controller('v1/tasks')
@InputErrorCode('invalid-request')
@ApiAnswers({
  400: '`invalid-request`: an unknown field or a wrong type, every one in `problems`.',
})
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
  @ApiOperation({ summary: 'The review queue, newest first' })
  @ApiQueryOf(ListTasksQuery)
  @ApiAnswers({
    200: { description: 'A page of tasks, newest first.', schema: schemaRef(TaskPage) },
  })
  list(@Query() query: ListTasksQuery): Promise<TaskPage> {
    return this.listTasks.execute(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One task: everything a reviewer needs' })
  @ApiAnswers({
    200: { description: 'The task.', schema: schemaRef(TaskDetail) },
    404: '`task-not-found`.',
  })
  get(@Param('id') id: string): Promise<TaskDetail> {
    return this.getTask.execute(id);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim the open task for the caller' })
  @ApiAnswers(decisionAnswers)
  claim(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TaskDetail> {
    return this.claimTask.execute(id, principal);
  }

  @Post(':id/release')
  @HttpCode(200)
  @ApiOperation({ summary: "End the caller's claim on the open task" })
  @ApiAnswers(decisionAnswers)
  release(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<TaskDetail> {
    return this.releaseTask.execute(id, principal);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the proposal, as it is or edited; the run resumes' })
  @ApiAnswers({
    ...decisionAnswers,
    400: '`invalid-request`; `tool-required` (no proposal and no `tool`); `tool-mismatch`.',
    422: '`tool-not-granted`; `proposal-refused`: the action breaks a guard or an effect limit (`problems`).',
  })
  approve(
    @Param('id') id: string,
    @Body() body: ApproveTaskDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TaskDetail> {
    return this.approveTask.execute(id, body, principal);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject the task; the run ends rejected' })
  @ApiAnswers(decisionAnswers)
  reject(
    @Param('id') id: string,
    @Body() body: RejectTaskDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<TaskDetail> {
    return this.rejectTask.execute(id, body, principal);
  }
}
