import { randomUUID } from 'node:crypto';
import type { Command } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { println } from '../output.js';
import { exitCodeOfRun, waitForRun } from '../wait-for-run.js';
import { localEventType } from '../local-workflows.js';
import {
  optionalString,
  printJson,
  readInteger,
  readJsonObject,
  requireString,
  showRun,
} from './shared.js';

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'start a run of a workflow (POST /v1/triggers)',
  positionals: [{ name: 'workflow' }],
  options: {
    data: {
      type: 'string',
      valueName: 'json|@file',
      description: "the event's data: a JSON object, or @file.json (required)",
    },
    tenant: {
      type: 'string',
      valueName: 'tenant',
      description: 'the tenant the event belongs to (env BATON_TENANT; required)',
    },
    'event-type': {
      type: 'string',
      valueName: 'type',
      description:
        "the upstream event type (default: the first of the workflow's trigger.eventTypes in ./workflows)",
    },
    version: {
      type: 'string',
      valueName: 'n',
      description: 'pin a published version of the workflow (default: the latest)',
    },
    'idempotency-key': {
      type: 'string',
      valueName: 'key',
      description: 'unique per business event: a repeat starts nothing (default: cli-<uuid>)',
    },
    source: {
      type: 'string',
      valueName: 'name',
      description: 'the upstream system (default: baton-cli)',
    },
    wait: {
      type: 'boolean',
      description: 'poll until the run ends or waits for review, then show it step by step',
    },
    timeout: {
      type: 'string',
      valueName: 'seconds',
      description: 'with --wait: give up after this long (default 300)',
    },
    'reviewer-key': {
      type: 'string',
      valueName: 'key',
      description:
        'with --wait: the key that reads the run (env BATON_REVIEWER_KEY; default --key, which then needs the admin role)',
    },
  },
  details: [
    'Starting a run needs a publisher (or admin) key: --key or BATON_API_KEY. Following it with',
    '--wait reads the run, which a publisher may not: give a reviewer key with --reviewer-key',
    '(or BATON_REVIEWER_KEY), or use an admin key.',
    'Exit code: 0 when the run started (or, with --wait, completed or waits for review); 1 when',
    "it was refused (the problems are listed) or ignored (the workflow's trigger.filters did not",
    'hold; the reason is printed) or, with --wait, failed, was rejected or cancelled.',
  ],
  examples: [
    `baton trigger billing-dispute --tenant acme --data '{"customerId":"cus_1001","invoiceId":"inv_2001","disputedAmount":18,"message":"Charged twice"}'`,
    'baton trigger billing-dispute --tenant acme --event-type support.ticket.created --data @ticket.json --wait',
  ],
  async run(context) {
    const { options, io } = context;
    const [workflowId] = context.positionals as [string];
    const data = readJsonObject(
      requireString(options['data'], 'data', 'trigger', '<json|@file>'),
      'data',
      'trigger',
      io.cwd,
    );
    const tenantId = optionalString(options['tenant']) ?? (io.env['BATON_TENANT'] || undefined);
    if (!tenantId)
      throw new UsageError('--tenant <tenant> (or BATON_TENANT) is required', 'trigger');
    const version = readInteger(options['version'], 'version', 'trigger', {
      min: 1,
      max: 1_000_000,
    });
    const timeout = readInteger(options['timeout'], 'timeout', 'trigger', { min: 1, max: 86_400 });
    const eventType =
      optionalString(options['event-type']) ?? localEventType(workflowId, version, io);
    if (!eventType) {
      throw new UsageError(
        `--event-type <type> is required: no local definition of ${workflowId} to take it from (looked in ${io.env['BATON_WORKFLOWS_DIR'] || './workflows'})`,
        'trigger',
      );
    }
    const idempotencyKey = optionalString(options['idempotency-key']) ?? `cli-${randomUUID()}`;
    const event = {
      schemaVersion: 1,
      idempotencyKey,
      workflowId,
      ...(version !== undefined ? { workflowVersion: version } : {}),
      tenantId,
      eventType,
      source: optionalString(options['source']) ?? 'baton-cli',
      occurredAt: new Date().toISOString(),
      data,
    };

    const { body: answer } = await context.client.trigger(event);
    if (answer.status === 'ignored' || !answer.runId) {
      // The workflow's trigger.filters did not take the event: nothing started, nothing to wait for.
      if (context.globals.json) printJson(context, answer);
      else
        println(
          io.stderr,
          `ignored: ${workflowId} did not start a run: ${answer.reason ?? 'the workflow does not take this event'}`,
        );
      return ExitCode.Failed;
    }
    const runId = answer.runId;
    if (!options['wait']) {
      if (context.globals.json) {
        printJson(context, answer);
      } else {
        const workflow = answer.workflow
          ? ` ${answer.workflow.id} v${answer.workflow.version}`
          : '';
        println(
          io.stdout,
          answer.duplicate
            ? `run ${runId} already started for idempotency key ${idempotencyKey}: nothing new started`
            : `run ${runId} started:${workflow}, idempotency key ${idempotencyKey}${answer.acceptedBy ? `, accepted by ${answer.acceptedBy}` : ''}`,
          `follow it: baton run ${runId} --wait`,
        );
      }
      return ExitCode.Ok;
    }

    if (!context.globals.json) {
      println(
        io.stderr,
        `run ${runId} ${answer.duplicate ? 'already started (duplicate key)' : 'started'}; waiting for it`,
      );
    }
    const reviewerKey =
      optionalString(options['reviewer-key']) ?? (io.env['BATON_REVIEWER_KEY'] || undefined);
    const reader = reviewerKey ? context.client.withKey(reviewerKey) : context.client;
    const waited = await waitForRun(reader, runId, io, {
      timeoutMs: (timeout ?? 300) * 1000,
    });
    showRun(context, waited.run);
    if (waited.timedOut && !context.globals.json) {
      println(
        io.stderr,
        `run ${runId} is still ${waited.run.status} after ${timeout ?? 300} s; it goes on: baton run ${runId}`,
      );
    }
    return exitCodeOfRun(waited.run, waited.timedOut);
  },
};
