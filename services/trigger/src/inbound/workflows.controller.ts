import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  ParseIntPipe,
  PayloadTooLargeException,
  Post,
  Req,
  Res,
  UnsupportedMediaTypeException,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import {
  ApiAnswers,
  CurrentPrincipal,
  HTTP_BODY_LIMIT,
  InputErrorCode,
  Roles,
  schemaRef,
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
import { PublishWorkflowUseCase } from '../use-cases/publish-workflow/publish-workflow.use-case.js';
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

/** The workflow registry over HTTP: publish a version, list versions, read one. */
@Controller('v1/workflows')
@UseInterceptors(TriggerErrorMapping)
export class WorkflowsController {
  constructor(
    private readonly publishWorkflow: PublishWorkflowUseCase,
    private readonly listWorkflows: ListWorkflowsUseCase,
    // The JSON body parser's limit; YAML text is read here, under the same limit.
    @Inject(HTTP_BODY_LIMIT) private readonly bodyLimit: number,
  ) {}

  /**
   * The definition as JSON (`application/json`) or as YAML text (`application/yaml`).
   * 201 published; 200 when this exact definition was already published; 422 with every
   * problem by path; 409 when the id and version are published with other content.
   */
  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Publish a workflow version to the registry' })
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
    409: '`version-published`: the id and version are published with other content.',
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
  ): Promise<PublishedWorkflow> {
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
    const published = await this.publishWorkflow.execute(text, format, principal);
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
    @Param(
      'version',
      new ParseIntPipe({
        exceptionFactory: () =>
          refuse(TriggerErrorCode.InvalidVersion, ['version: must be a whole number']),
      }),
    )
    version: number,
  ): WorkflowVersion {
    return this.listWorkflows.get(id, version);
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
