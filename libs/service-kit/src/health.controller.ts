import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import type { DataSource } from 'typeorm';
import type { MessagingRuntime } from '@baton/messaging';
import { pingDatabase } from '@baton/persistence';
import { Public } from './auth.js';
import { schemaRef } from './api-docs/api-decorators.js';
import { DATA_SOURCE, MESSAGING_RUNTIME, SERVICE_INFO, type ServiceInfo } from './tokens.js';

/** `GET /health/live`: the process answers. */
export class Liveness {
  @Equals('ok') status!: 'ok';
  @IsString() service!: string;
  @IsString() version!: string;
}

/** One readiness check: the database or the broker, whether it answered, in how long. */
export class ReadinessCheck {
  @IsIn(['database', 'broker']) name!: string;
  @IsBoolean() ok!: boolean;
  @IsInt() @Min(0) ms!: number;
  /** Why the check failed; only on a failed check. */
  @IsOptional() @IsString() error?: string;
}

/** `GET /health/ready`: every check; `ok` when all passed, `unavailable` (a 503) when not. */
export class Readiness {
  @IsIn(['ok', 'unavailable']) status!: 'ok' | 'unavailable';
  @IsArray() @ValidateNested({ each: true }) @Type(() => ReadinessCheck) checks!: ReadinessCheck[];
}

/** Liveness (the process answers) and readiness (its broker and database answer). No auth. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(MESSAGING_RUNTIME) private readonly runtime: MessagingRuntime,
    @Inject(SERVICE_INFO) private readonly service: ServiceInfo,
  ) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiResponse({ status: 200, description: 'The process answers.', schema: schemaRef(Liveness) })
  live(): Liveness {
    return { status: 'ok', service: this.service.name, version: this.service.version };
  }

  /** 200, or 503 with the failing check: an answer for probes, not an error (errors are generic). */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database and the broker answer' })
  @ApiResponse({
    status: 200,
    description: 'The database and the broker answer (`status: "ok"`).',
    schema: schemaRef(Readiness),
  })
  @ApiResponse({
    status: 503,
    description:
      'A check failed (`status: "unavailable"`, the failing check with its `error`): an answer for probes, not the error body.',
    schema: schemaRef(Readiness),
  })
  async ready(
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<Readiness> {
    const checks = await Promise.all([
      check('database', () => pingDatabase(this.dataSource)),
      check('broker', () => this.runtime.transport.ping()),
    ]);
    const body: Readiness = { status: checks.every((c) => c.ok) ? 'ok' : 'unavailable', checks };
    reply.status(body.status === 'ok' ? 200 : 503);
    return body;
  }
}

/**
 * How long each readiness check may take. The checks run together, so a probe gets its answer
 * within a second even while the broker or the database does not answer at all.
 */
const READY_CHECK_TIMEOUT_MS = 800;

async function check(name: string, probe: () => Promise<void>): Promise<ReadinessCheck> {
  const started = Date.now();
  try {
    await withTimeout(probe(), READY_CHECK_TIMEOUT_MS);
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, ms: Date.now() - started, error: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}
