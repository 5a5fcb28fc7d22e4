import { randomBytes } from 'node:crypto';
import type { WorkflowDefinition } from '@baton/workflow';
import { UnreachableError, type ApiClient } from '../api-client.js';
import { isTerminal } from '../api-types.js';
import { CasesUnreachable, cancel, describeError, tasksOf } from './case-api.js';
import { compare, observe, type Difference, type Observed } from './compare.js';
import { sendDuplicate, type JoinAnswer } from './duplicate-event.js';
import { runEarlier, type EarlierResult } from './earlier-run.js';
import { follow } from './follow-run.js';
import type { RunScript, ScriptedModelServer } from './scripted-model.js';
import type { WorkflowCase } from './workflow-case.js';

export { CasesUnreachable } from './case-api.js';
export type { EarlierResult } from './earlier-run.js';

export interface CaseRunOptions {
  /** Starts runs (publisher or admin key). */
  client: ApiClient;
  /** Reads runs and tasks, decides tasks (reviewer or admin key). */
  reviewer: ApiClient;
  model: ScriptedModelServer;
  workflow: WorkflowDefinition;
  /** Start the local file's version (`workflowVersion`), not the live one: `--record`. */
  pinVersion?: boolean;
  /**
   * The tenant the case's runs belong to, made the case's own: `<tenantId>-<nonce>`. Effect
   * limits count per tenant across runs, so no case (nor a re-run of the suite) ever counts
   * another's writes.
   */
  tenantId: string;
  /** Per case: the run must end (or wait for review) within this. */
  timeoutMs: number;
  /** Cancel runs the case left waiting for review or running (default true). */
  cleanUp: boolean;
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Distinguishes this invocation's idempotency keys and the case's tenant; random by default. */
  nonce?: string;
  /** Called with what the case is doing, for a progress line. */
  onProgress?: (text: string) => void;
}

export interface CaseResult {
  name: string;
  file: string;
  description: string;
  tags: string[];
  passed: boolean;
  durationMs: number;
  /** The case's own tenant (`<--tenant>-<nonce>`), which its earlier runs share. */
  tenantId?: string;
  /** The runs made before the case's own (`earlier`), in order. */
  earlier?: EarlierResult[];
  /**
   * The case's run; with `expect.duplicate`, the earlier run the event was joined to or refused
   * for (the event started none of its own).
   */
  runId?: string;
  /** Set when the case expects its event to be a duplicate, and it was answered so. */
  duplicate?: WorkflowCase['expect']['duplicate'];
  /** Empty when the case passed. */
  differences: Difference[];
  /** What the run did, when it could be read. */
  observed?: Observed;
  /** The model calls the run made against the case's script. */
  modelCalls?: RunScript['calls'];
}

/**
 * Runs one case against a running Baton, in a tenant of its own: makes its earlier runs one
 * after the other, each to its end, then sends its event (the same idempotency key `repeat`
 * times, each answer naming the same run), registers its model script for the run, follows
 * the run, performs the review entries on its open tasks in order, and compares the end with
 * the case's `expect`. A case whose event is the same business event as an earlier run
 * (`expect.duplicate`) checks the trigger's answer names that run, and compares it instead.
 */
export async function runCase(
  workflowCase: WorkflowCase,
  options: CaseRunOptions,
): Promise<CaseResult> {
  const started = Date.now();
  const { client, model } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const differences: Difference[] = [];
  const result = (extra: Partial<CaseResult>): CaseResult => ({
    name: workflowCase.name,
    file: workflowCase.file,
    description: workflowCase.description,
    tags: workflowCase.tags,
    passed: differences.length === 0,
    durationMs: Date.now() - started,
    differences,
    ...extra,
  });
  const progress = (text: string) => options.onProgress?.(text);

  const nonce = options.nonce ?? randomBytes(6).toString('hex');
  const tenantId = caseTenant(options.tenantId, nonce);
  const keyPrefix = `case:${options.workflow.id}:${workflowCase.name}:${nonce}`;
  const eventOf = (
    run: { eventType: string; source?: string; data: Record<string, unknown> },
    idempotencyKey: string,
  ) => ({
    schemaVersion: 1,
    idempotencyKey,
    workflowId: options.workflow.id,
    ...(options.pinVersion ? { workflowVersion: options.workflow.version } : {}),
    tenantId,
    eventType: run.eventType,
    source: run.source ?? 'baton-cases',
    occurredAt: new Date().toISOString(),
    data: run.data,
  });

  const earlier: EarlierResult[] = [];
  for (const [i, run] of workflowCase.earlier.entries()) {
    progress(`earlier run ${i + 1} of ${workflowCase.earlier.length}`);
    const made = await runEarlier(
      run,
      i,
      eventOf(run, `${keyPrefix}:earlier-${i + 1}`),
      options,
      sleep,
    );
    earlier.push(made.result);
    if (made.differences.length) {
      // The case's own run would start from something else than the case says: stop here.
      differences.push(...made.differences);
      return result({ tenantId, earlier });
    }
  }
  const withEarlier = { tenantId, ...(earlier.length ? { earlier } : {}) };

  const { trigger } = workflowCase;
  const event = eventOf(trigger, keyPrefix);

  const duplicate = workflowCase.expect.duplicate;
  if (duplicate) {
    // The same business event as an earlier run: no run of its own starts, and the rest of
    // `expect` describes the run it was joined to or refused for, as it stands now.
    progress('sending the event (a duplicate)');
    const sent = await sendDuplicate(client, event, {
      expected: duplicate,
      repeat: trigger.repeat,
      earlierRunIds: earlier.flatMap((run) => (run.runId ? [run.runId] : [])),
    });
    differences.push(...sent.differences);
    if (options.cleanUp)
      for (const stray of sent.strayRunIds) await cancel(options.reviewer, stray);
    if (!sent.runId) return result(withEarlier);
    return result({
      ...withEarlier,
      duplicate,
      ...(await compareRun(sent.runId, workflowCase, options, sleep, progress, differences)),
    });
  }

  let runId: string;
  let script: RunScript;
  try {
    progress('sending the event');
    const answer: JoinAnswer = (await client.trigger(event)).body;
    if (answer.joined === true) {
      // trigger.dedup took the event for an earlier run; comparing that run would pass a
      // case on what another event did.
      differences.push({
        field: 'trigger',
        expected: 'a run of its own (or expect.duplicate: joined)',
        actual: `joined run ${answer.runId}, an earlier run about the same business entity (trigger.dedup)`,
      });
      return result(withEarlier);
    }
    if (!answer.runId) {
      // The workflow's trigger.filters ignored the event: no run to compare.
      differences.push({
        field: 'trigger',
        expected: 'the event accepted (a run started)',
        actual: `${answer.status ?? 'no run'}${answer.reason ? ` (${answer.reason})` : ''}`,
      });
      return result(withEarlier);
    }
    runId = answer.runId;
    script = model.register(runId, workflowCase.model);
    for (let send = 2; send <= trigger.repeat; send += 1) {
      const again = (await client.trigger(event)).body;
      if (again.runId !== runId || again.duplicate !== true) {
        differences.push({
          field: `trigger.repeat (send ${send})`,
          expected: `the same run ${runId}, marked duplicate`,
          actual: `run ${again.runId}${again.duplicate ? ', duplicate' : ', not marked duplicate'}`,
        });
      }
    }
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    differences.push({
      field: 'trigger',
      expected: 'the event accepted (a run started)',
      actual: describeError(error),
    });
    return result(withEarlier);
  }

  try {
    return result({
      ...withEarlier,
      ...(await compareRun(runId, workflowCase, options, sleep, progress, differences, script)),
      modelCalls: script.calls,
    });
  } finally {
    model.unregister(runId);
  }
}

/**
 * Follows the run through the case's review entries to its end (or to a review task with no
 * entry left), compares it with `expect` (and the model script, when the run is the case's
 * own), and cancels it if it is left waiting.
 */
async function compareRun(
  runId: string,
  workflowCase: WorkflowCase,
  options: CaseRunOptions,
  sleep: (ms: number) => Promise<void>,
  progress: (text: string) => void,
  differences: Difference[],
  script?: RunScript,
): Promise<Pick<CaseResult, 'runId' | 'observed'>> {
  const { reviewer } = options;
  try {
    const followed = await follow(runId, workflowCase.review, options, sleep, progress);
    differences.push(...followed.differences);
    const tasks = await tasksOf(reviewer, runId);
    const observed = observe(followed.run, tasks, options.workflow);
    if (followed.timedOut) {
      differences.push({
        field: 'run',
        expected: `ended or waiting for review within ${Math.round(options.timeoutMs / 1000)} s`,
        actual: `still ${followed.run.status} (${followed.run.steps.length} steps)`,
      });
    }
    differences.push(...compare(workflowCase.expect, observed, script));
    if (options.cleanUp && !isTerminal(followed.run.status)) await cancel(reviewer, runId);
    return { runId, observed };
  } catch (error) {
    if (error instanceof UnreachableError) throw new CasesUnreachable(error);
    differences.push({ field: 'run', expected: 'readable', actual: describeError(error) });
    return { runId };
  }
}

/** The case's own tenant: effect limits, counted per tenant, never see another case's writes. */
export function caseTenant(tenant: string, nonce: string): string {
  return `${tenant}-${nonce}`;
}
