import {
  Body,
  Controller,
  Get,
  Inject,
  HttpCode,
  Param,
  ParseIntPipe,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { decodeAs } from '@baton/contracts';
import {
  ApiAnswers,
  CLOCK,
  CurrentPrincipal,
  HTTP_BODY_LIMIT,
  InputErrorCode,
  Roles,
  schemaRef,
  type Clock,
  type Principal,
} from '@baton/service-kit';
import { WORKFLOW_SCHEMA_FILE } from '@baton/workflow';
import { TriggerErrorCode } from '../domain/trigger-error.js';
import {
  ListWorkflowsUseCase,
  WorkflowList,
  WorkflowSummary,
  WorkflowVersion,
} from '../use-cases/list-workflows/list-workflows.use-case.js';
import {
  PromoteWorkflowUseCase,
  PromotedWorkflow,
} from '../use-cases/promote-workflow/promote-workflow.use-case.js';
import { PublishWorkflowUseCase } from '../use-cases/publish-workflow/publish-workflow.use-case.js';
import {
  RecordCaseResultsBody,
  RecordCaseResultsUseCase,
  RecordedCaseResults,
} from '../use-cases/record-case-results/record-case-results.use-case.js';
import { TriggerErrorMapping, refuse } from './trigger.exception.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

interface Request extends AsyncIterable<Buffer | string> {
  headers: Record<string, string | undefined>;
}

interface Reply {
  status(code: number): unknown;
}

/** `POST /v1/workflows`: the version, and whether this request published it. */
export class PublishedWorkflow extends WorkflowSummary {
  @JSONSchema({
    description: 'True when this request published it; false when it was already published.',
  })
  @IsBoolean()
  created!: boolean;
}

/** An admin's override of a publish gate that is not met. */
export class GateOverride {
  @JSONSchema({ description: 'Why the version goes live anyway; recorded on the version.' })
  @IsString()
  @Length(1, 1000)
  reason!: string;
}

/** `POST /v1/workflows/{id}/versions/{version}/promote`. */
export class PromoteBody {
  @JSONSchema({
    description:
      'Promote even when the publish gate is not met, with the reason (recorded with who promoted it).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => GateOverride)
  override?: GateOverride;
}

/** The `:version` path parameter: a whole number, else 400 `invalid-version`. */
const versionPipe = () =>
  new ParseIntPipe({
    exceptionFactory: () =>
      refuse(TriggerErrorCode.InvalidVersion, ['version: must be a whole number']),
  });

/** The workflow registry over HTTP: publish a version, list versions, read one. */
@Controller('v1/workflows')
@UseInterceptors(TriggerErrorMapping)
export class WorkflowsController {
  constructor(
    private readonly publishWorkflow: PublishWorkflowUseCase,
    private readonly listWorkflows: ListWorkflowsUseCase,
    private readonly promoteWorkflow: PromoteWorkflowUseCase,
    private readonly recordCaseResults: RecordCaseResultsUseCase,
    // The JSON body parser's limit; YAML text is read here, under the same limit.
    @Inject(HTTP_BODY_LIMIT) private readonly bodyLimit: number,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The definition as JSON (`application/json`) or as YAML text (`application/yaml`).
   * 201 published; 200 when this exact definition was already published; 422 with every
   * problem by path; 409 when the id and version are published with other content.
   * `?candidate=true` publishes a candidate: new triggers do not start it until it is promoted.
   */
  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Publish a workflow version to the registry' })
  @ApiQuery({
    name: 'candidate',
    required: false,
    schema: { type: 'boolean' },
    description:
      'true: publish a candidate version, not live until promoted (POST …/versions/{version}/promote). Default false.',
  })
  @ApiConsumes('application/json', ...YAML_TYPES)
  @ApiBody({
    description:
      'The workflow definition, as JSON or as the YAML text of the file; its schema is the file beside this document.',
    schema: { $ref: WORKFLOW_SCHEMA_FILE },
  })
  @ApiAnswers({
    201: { description: 'Published (`created: true`).', schema: schemaRef(PublishedWorkflow) },
    200: {
      description: 'This exact definition is already published (`created: false`).',
      schema: schemaRef(PublishedWorkflow),
    },
    400: '`invalid-query`: candidate is neither true nor false.',
    409: '`version-published`: the id and version are published with other content. `publish-gate-required`: the definition declares a publish gate and its workflow has a live version: publish it as a candidate, then promote it.',
    413: '`payload-too-large`: the body is over `BATON_HTTP_BODY_LIMIT`.',
    415: '`unsupported-media-type`: neither JSON nor YAML.',
    422: '`invalid-definition`: every problem, by path.',
  })
  @InputErrorCode(TriggerErrorCode.InvalidDefinition)
  async publish(
    @Req() request: Request,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: Reply,
    @Query('candidate') candidateQuery?: string,
  ): Promise<PublishedWorkflow> {
    if (candidateQuery !== undefined && !['true', 'false'].includes(candidateQuery))
      throw refuse(TriggerErrorCode.InvalidQuery, ['candidate: must be true or false']);
    const candidate = candidateQuery === 'true';
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    let text: string;
    let format: 'yaml' | 'json';
    if (YAML_TYPES.includes(type)) {
      text = await readText(request, this.bodyLimit);
      format = 'yaml';
    } else if (type === 'application/json') {
      text = JSON.stringify(body ?? null);
      format = 'json';
    } else {
      throw new UnsupportedMediaTypeException(
        `send the definition as application/json or application/yaml, not ${type || 'no content type'}`,
      );
    }
    const published = await this.publishWorkflow.execute(text, format, principal, new Date(), {
      candidate,
    });
    reply.status(published.created ? 201 : 200);
    return { ...published.workflow, created: published.created };
  }

  @Get()
  @Roles('reviewer')
  @ApiOperation({ summary: 'Every workflow version, by id then version' })
  @ApiAnswers({
    200: { description: 'Every workflow version.', schema: schemaRef(WorkflowList) },
  })
  list(): WorkflowList {
    return this.listWorkflows.list();
  }

  @Get(':id/versions/:version')
  @Roles('reviewer')
  @ApiOperation({ summary: 'One workflow version with its definition' })
  @ApiAnswers({
    200: {
      description: 'The version, with `definition` as JSON.',
      schema: schemaRef(WorkflowVersion),
    },
    400: '`invalid-version`: the version is not a whole number.',
    404: '`workflow-not-found`.',
  })
  get(
    @Param('id') id: string,
    @Param('version', versionPipe())
    version: number,
  ): WorkflowVersion {
    return this.listWorkflows.get(id, version);
  }

  /**
   * Makes a candidate version live, once its publish gate (if it declares one) is met, checked
   * here: a failed gate is 409 with the gate report, unless an admin overrides it with a reason.
   */
  @Post(':id/versions/:version/promote')
  @Roles('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Promote a candidate version: check its publish gate, make it live' })
  @ApiBody({ required: false, schema: schemaRef(PromoteBody) })
  @ApiAnswers({
    200: {
      description:
        'Promoted (`promoted: true`, with the gate checked), or live already (`promoted: false`).',
      schema: schemaRef(PromotedWorkflow),
    },
    400: '`invalid-version`, `invalid-body`.',
    404: '`workflow-not-found`: the version is not published.',
    409: '`publish-gate-failed`: the gate is not met; the error body holds `gate`, the gate report (as in PromotedWorkflow). `candidate-superseded`: the candidate is below the live version.',
  })
  promote(
    @Param('id') workflowId: string,
    @Param('version', versionPipe())
    version: number,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PromotedWorkflow> {
    const decoded = decodeAs(PromoteBody, body ?? {});
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidBody, decoded.errors);
    const { override } = decoded.value;
    return this.promoteWorkflow.execute(
      { workflowId, version, ...(override ? { override: { reason: override.reason } } : {}) },
      principal,
      this.clock.now(),
    );
  }

  /** What `baton cases` found running a version's case suite, for a gate that requires cases. */
  @Post(':id/versions/:version/case-results')
  @Roles('publisher')
  @ApiOperation({ summary: "Record a version's case-suite results (for its publish gate)" })
  @ApiBody({ schema: schemaRef(RecordCaseResultsBody) })
  @ApiAnswers({
    201: { description: 'Recorded.', schema: schemaRef(RecordedCaseResults) },
    400: '`invalid-version`, `invalid-body`.',
    404: '`workflow-not-found`: the version is not published.',
    409: '`definition-mismatch`: the cases ran against other content than the version holds.',
  })
  caseResults(
    @Param('id') workflowId: string,
    @Param('version', versionPipe())
    version: number,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RecordedCaseResults> {
    const decoded = decodeAs(RecordCaseResultsBody, body ?? {});
    if (!decoded.ok) throw refuse(TriggerErrorCode.InvalidBody, decoded.errors);
    return this.recordCaseResults.execute(
      { workflowId, version, body: decoded.value },
      principal,
      this.clock.now(),
    );
  }
}

async function readText(request: Request, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit)
      throw new PayloadTooLargeException(
        `the body is over ${limit} bytes, the most this service accepts (BATON_HTTP_BODY_LIMIT)`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
