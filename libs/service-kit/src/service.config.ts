import { Setting } from '@baton/config';

/** Settings of the service process itself. */
export class ServiceConfig {
  @Setting({
    env: 'PORT',
    type: 'int',
    default: 0,
    min: 0,
    max: 65_535,
    description: 'HTTP port for the API and health endpoints; 0 picks the service default.',
  })
  port!: number;

  @Setting({
    env: 'HOST',
    type: 'string',
    default: '0.0.0.0',
    description: 'Interface the HTTP server binds to.',
  })
  host!: string;

  @Setting({
    env: 'BATON_HTTP_BODY_LIMIT',
    type: 'string',
    default: '1mb',
    description:
      'Largest HTTP request body the service reads: `512kb`, `1mb`, `1048576` (bytes; kb and mb count 1024). A larger body is answered 413 `payload-too-large`.',
  })
  httpBodyLimit!: string;

  @Setting({
    env: 'BATON_SCHEMA_PREFIX',
    type: 'string',
    default: '',
    description:
      "Prefix of the service's Postgres schema name (the schema is `<prefix><service>`), to run several Baton installations in one database.",
  })
  schemaPrefix!: string;

  @Setting({
    env: 'BATON_WORKFLOWS_DIR',
    type: 'string',
    default: '',
    description:
      'Folder of workflow definitions (`<dir>/<workflow>/workflow.yaml`); empty means the `workflows/` folder of this installation.',
  })
  workflowsDir!: string;

  @Setting({
    env: 'BATON_RATE_LIMIT_PER_MINUTE',
    type: 'int',
    default: 600,
    min: 0,
    description:
      'Changes (POST and other mutating requests) each API key may make per minute, on average, on this instance: triggers, cancels, verdicts, claims, publishes. Over it: 429 `rate-limited` with `Retry-After`; other keys are not slowed; reads are not limited. 0: no limit.',
  })
  rateLimitPerMinute!: number;

  @Setting({
    env: 'BATON_RATE_LIMIT_BURST',
    type: 'int',
    default: 100,
    min: 1,
    description:
      'Changes an API key may make at once, before BATON_RATE_LIMIT_PER_MINUTE applies (the size of its token bucket).',
  })
  rateLimitBurst!: number;

  @Setting({
    env: 'BATON_DB_STARTUP_WAIT_MS',
    type: 'int',
    default: 300_000,
    min: 0,
    description:
      'At start, how long the service waits for its database while it is unavailable (refusing connections, starting up, too many clients), logging each attempt; then it exits (code 69) with one line saying so. A wrong password or a missing database is not waited out.',
  })
  databaseStartupWaitMs!: number;

  @Setting({
    env: 'BATON_METRICS_PORT',
    type: 'int',
    default: -1,
    min: -1,
    max: 65_535,
    description:
      'Port of the Prometheus `/metrics` endpoint (no API key; bound on HOST). -1: the service default, its default HTTP port + 6464 (trigger 9464 … escalation 9469). 0: no metrics endpoint.',
  })
  metricsPort!: number;

  @Setting({
    env: 'BATON_REGISTRY_CATCH_UP_TIMEOUT_MS',
    type: 'int',
    default: 30_000,
    min: 100,
    description:
      'At start, how long the service waits to have read every published workflow version (the registry topic) before it handles messages; longer, and the start fails.',
  })
  registryCatchUpTimeoutMs!: number;

  @Setting({
    env: 'BATON_WORKFLOW_LOOKUP_WAIT_MS',
    type: 'int',
    default: 10_000,
    min: 0,
    description:
      'How long a step of a workflow version this instance does not know yet waits for the registry to deliver it (a version published a moment ago) before it is handled as unknown.',
  })
  workflowLookupWaitMs!: number;

  @Setting({
    env: 'BATON_SHUTDOWN_TIMEOUT_MS',
    type: 'int',
    default: 45_000,
    min: 1_000,
    description: 'On SIGTERM, the process exits after this long even if draining has not finished.',
  })
  shutdownTimeoutMs!: number;

  @Setting({
    env: 'BATON_ENVIRONMENT',
    type: 'string',
    default: 'development',
    description:
      'The deployment environment (`production`, `staging`, ...), on every span and metric as the resource attribute `deployment.environment.name`: one tracing backend can hold several.',
  })
  environment!: string;
}
