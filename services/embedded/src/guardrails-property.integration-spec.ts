import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  aContextEnvelope,
  nextStep,
  uuidv7,
  type DecisionRecord,
  type RunState,
  type StepEnvelope,
  type StepRecord,
  type ToolResult,
} from '@baton/contracts';
import { startService, type StartedService } from '@baton/service-kit/testing';
import { expectEventually, seedBusinessData, seededRandom } from '@baton/testing';
import {
  checkProposal,
  effectClaims,
  WorkflowCatalog,
  type EffectClaim,
  type WorkflowDefinition,
} from '@baton/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionService } from '../../action/src/action.service-definition.js';
import { contextService } from '../../context/src/context.service-definition.js';

/**
 * Property, for every example workflow and every one of its write tools: whatever is proposed,
 * every write Baton executes satisfies the workflow's stated guards — its pinned arguments,
 * prerequisites, required arguments, ceiling and checks (the gate, re-applied afterwards to the
 * call as executed), and its effect limits across runs (counted afterwards over every executed
 * call). Triggers come from the workflow's own cases; the real context service gathers their
 * evidence from the seeded business data; proposals are random — arguments drawn from the
 * evidence, the trigger and noise, random confidences and proposers, random earlier steps —
 * and take a run's path: validation's gate (refused ones stop; approvals get a reviewer who
 * approves some as they are and edits others), then the real action service. A fifth go to the
 * action service directly, as a proposal that skipped validation would.
 */
const PER_WORKFLOW = 1_100;
const SEED = Number(process.env['BATON_PROPERTY_SEED'] ?? 4_12_2026);
const WORKFLOWS_DIR = new URL('../../../workflows/', import.meta.url).pathname;

/** Every text and number a value holds, at any depth: what a confused model would reuse. */
function leaves(value: unknown, out: unknown[] = []): unknown[] {
  if (typeof value === 'string' || typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) value.forEach((item) => leaves(item, out));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((item) => leaves(item, out));
  return out;
}

/** The argument names a tool is known by: required, pinned, and those its guards and statement read. */
function argumentNames(workflow: WorkflowDefinition, tool: string): string[] {
  const grant = workflow.tools.find((candidate) => candidate.name === tool)!;
  const text = JSON.stringify([grant, workflow.validation]);
  const read = [...text.matchAll(/args\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!);
  return [...new Set([...grant.requiredArgs, ...Object.keys(grant.pinned ?? {}), ...read])];
}

interface Sent {
  envelope: StepEnvelope<'action'>;
  state: RunState;
}

describe('guardrails: every executed write of every example workflow satisfies its guards (property)', () => {
  // The real context and action services, each in-process with its own topics and schema.
  let context: StartedService;
  let action: StartedService;
  let decisions: () => Array<StepEnvelope<'decision'>>;
  let validations: () => Array<StepEnvelope<'validation'>>;
  const catalog = WorkflowCatalog.fromDirectory(WORKFLOWS_DIR);

  beforeAll(async () => {
    await seedBusinessData();
    context = await startService(contextService, { workflowsDir: WORKFLOWS_DIR });
    action = await startService(actionService, {
      workflowsDir: WORKFLOWS_DIR,
      env: { BATON_CONCURRENCY: '16' },
    });
    decisions = await context.watch<StepEnvelope<'decision'>>(context.names.steps.decision);
    validations = await action.watch<StepEnvelope<'validation'>>(action.names.steps.validation);
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    await action?.close();
  });

  /** The run state the context service gathers for a trigger, as the decision step gets it. */
  const gather = async (
    workflow: WorkflowDefinition,
    tenantId: string,
    trigger: Record<string, unknown>,
  ) => {
    const first = aContextEnvelope({ tenantId, data: trigger['data'] as Record<string, unknown> });
    const envelope: StepEnvelope<'context'> = {
      ...first,
      workflow: { id: workflow.id, version: workflow.version },
      payload: {
        ...first.payload,
        trigger: { ...first.payload.trigger, eventType: String(trigger['eventType']) },
      },
    };
    await context.publish(context.names.steps.context, envelope);
    const decision = await expectEventually(
      () => {
        const found = decisions().find((e) => e.runId === envelope.runId);
        expect(found).toBeDefined();
        return found!;
      },
      { timeoutMs: 30_000 },
    );
    return { context: envelope, state: decision.payload.state };
  };

  for (const id of [
    'billing-dispute',
    'document-intake',
    'help-desk',
    'lead-qualification',
    'weekly-briefing',
  ]) {
    it(`${id}: ${PER_WORKFLOW} random proposals, edits and direct sends (seed ${SEED})`, async () => {
      const workflow = catalog.latest(id)!;
      const rng = seededRandom(SEED + id.length * 7919);
      const writeTools = workflow.tools
        .filter((tool) => tool.access === 'write')
        .map((tool) => tool.name);
      const tenants = Array.from({ length: 8 }, (_, i) => `prop-${uuidv7()}-${i}`);

      // Triggers from the workflow's cases (and their earlier runs), evidence from the real context service.
      interface WrittenCase {
        trigger: Record<string, unknown>;
        earlier?: Array<Record<string, unknown>>;
        model?: Array<{ reply?: { tool?: string; args?: Record<string, unknown> } }>;
      }
      const cases = readdirSync(`${WORKFLOWS_DIR}${id}/cases`)
        .filter((file) => file.endsWith('.yaml'))
        .map(
          (file) =>
            parseYaml(readFileSync(`${WORKFLOWS_DIR}${id}/cases/${file}`, 'utf8')) as WrittenCase,
        );
      // Each case's trigger, and what the case's scripted model proposed on it, per tool: the
      // plausible calls that random edits then bend (a call fits the trigger it was made for).
      const triggers = cases
        .flatMap((written) => [
          { trigger: written.trigger, model: written.model ?? [] },
          ...(written.earlier ?? []).map((trigger) => ({ trigger, model: [] })),
        ])
        .filter(({ trigger }) => trigger['data'] && typeof trigger['data'] === 'object')
        .slice(0, 30);
      const gathered = await Promise.all(
        triggers.map(async ({ trigger, model }) => {
          const plausible = new Map<string, Array<Record<string, unknown>>>();
          for (const answer of model)
            if (answer.reply?.tool && answer.reply.args)
              plausible.set(answer.reply.tool, [
                ...(plausible.get(answer.reply.tool) ?? []),
                answer.reply.args,
              ]);
          return { ...(await gather(workflow, rng.pick(tenants), trigger)), plausible };
        }),
      );

      const sent: Sent[] = [];
      for (let i = 0; i < PER_WORKFLOW; i += 1) {
        const { context: started, state: base, plausible: calls } = rng.pick(gathered);
        const tenantId = rng.pick(tenants);
        const pool = [
          ...leaves(base.evidence.map((item) => item.content)),
          ...leaves(base.trigger.data),
        ];
        const tool = rng.chance(0.9)
          ? rng.pick(writeTools)
          : rng.pick(['wire-money', ...workflow.tools.map((t) => t.name)]);
        const known = workflow.tools.some((t) => t.name === tool)
          ? argumentNames(workflow, tool)
          : ['amount'];
        const noise = (): unknown =>
          rng.pick([
            rng.pick(pool.length ? pool : ['x']),
            rng.pick(pool.length ? pool : ['x']),
            Math.round((rng.next() * 2000 - 100) * 100) / 100,
            `id_${Math.floor(rng.next() * 10_000)}`,
            '',
            null,
          ]);
        // Half start from a call the cases' model made (most fields kept), half from noise.
        const plausible = calls.get(tool);
        const args: Record<string, unknown> =
          plausible && rng.chance(0.5) ? { ...rng.pick(plausible) } : {};
        for (const name of known)
          if ((!(name in args) && rng.chance(0.85)) || rng.chance(0.1)) args[name] = noise();
        // Earlier steps of the run: some tools done already, some failed.
        const history: StepRecord[] = writeTools
          .filter(() => rng.chance(0.25))
          .map((done, seq) => ({
            name: done,
            kind: 'action',
            seq: seq + 1,
            outcome: rng.chance(0.8) ? 'succeeded' : 'failed',
            output: { args: {}, result: { status: 'succeeded' } },
          }));
        const state: RunState = { ...base, history };
        let decision: DecisionRecord = {
          next: rng.chance(0.95) ? 'act' : 'complete',
          tool,
          args,
          label: rng.pick(workflow.decision.model?.labels ?? ['x']),
          confidence: Math.round(rng.next() * 100) / 100,
          rationale: 'generated',
          decidedBy: rng.pick(['rules', 'model', 'reviewer'] as const),
        };
        const direct = rng.chance(0.2);
        if (!direct) {
          let verdict = checkProposal(workflow, decision, state, {
            approved: decision.decidedBy === 'reviewer',
          });
          if (verdict.approval) {
            if (rng.chance(0.3)) continue;
            const edited = { ...verdict.decision.args };
            const name = rng.pick(known);
            if (rng.chance(0.5)) edited[name] = noise();
            decision = { ...verdict.decision, args: edited, decidedBy: 'reviewer' };
            verdict = checkProposal(workflow, decision, state, { approved: true });
          }
          if (verdict.problems.length || verdict.repeats) continue;
          decision = verdict.decision;
        }
        const runContext = { ...started, runId: uuidv7(), tenantId };
        const envelope = nextStep(
          runContext,
          { name: `execute-${decision.tool}`, kind: 'action' },
          { kind: 'action', state, decision },
        );
        sent.push({ envelope, state });
      }
      await action.kafka.produce(
        action.names.steps.action,
        sent.map(({ envelope }) => ({ key: envelope.runId, value: JSON.stringify(envelope) })),
      );

      const results = await expectEventually(
        () => {
          const found = new Map<string, StepEnvelope<'validation'>>();
          for (const envelope of validations())
            if (envelope.payload.result) found.set(envelope.runId, envelope);
          expect(sent.filter(({ envelope }) => !found.has(envelope.runId))).toEqual([]);
          return found;
        },
        { timeoutMs: 180_000 },
      );

      // Every executed write passes the workflow's gate as executed, and the limits hold over all.
      const counted = new Map<
        string,
        { claim: EffectClaim; count: number; sum: number; max: number }
      >();
      let executed = 0;
      for (const { envelope, state } of sent) {
        const result: ToolResult = results.get(envelope.runId)!.payload.result!;
        const call = results.get(envelope.runId)!.payload.decision;
        const grant = workflow.tools.find((t) => t.name === call.tool);
        if (result.status !== 'succeeded' && result.status !== 'simulated') continue;
        expect(grant, `${envelope.runId}: executed an ungranted tool ${call.tool}`).toBeDefined();
        if (grant!.access !== 'write') continue;
        executed += 1;
        const verdict = checkProposal(workflow, call, state, { approved: true });
        expect(
          verdict.problems,
          `${envelope.runId}: ${call.tool} ${JSON.stringify(call.args)}`,
        ).toEqual([]);
        expect(
          verdict.decision.args,
          `${envelope.runId}: pinned arguments as the run says`,
        ).toEqual(call.args);
        const claims = effectClaims(grant!, call, state);
        expect(claims.ok, `${envelope.runId}: its limits could be counted`).toBe(true);
        for (const claim of claims.ok ? claims.claims : []) {
          const key = JSON.stringify([envelope.tenantId, call.tool, claim.limit, claim.key]);
          const total = counted.get(key) ?? { claim, count: 0, sum: 0, max: Infinity };
          counted.set(key, {
            claim,
            count: total.count + 1,
            sum: total.sum + (claim.amount ?? 0),
            max: Math.min(total.max, claim.maxSum ?? Infinity),
          });
        }
      }
      for (const [key, total] of counted) {
        if (total.claim.maxCount !== undefined)
          expect(total.count, `${key}: maxCount`).toBeLessThanOrEqual(total.claim.maxCount);
        if (total.claim.maxSum !== undefined)
          expect(total.sum, `${key}: maxSum`).toBeLessThanOrEqual(total.max + 1e-9);
      }
      console.log(
        id,
        JSON.stringify(
          [...results.values()]
            .map((v) => (v.payload.result!.error ?? v.payload.result!.status).slice(0, 90))
            .reduce((m: Record<string, number>, k) => ((m[k] = (m[k] ?? 0) + 1), m), {}),
        ),
      );
      // The property is not vacuous: writes happened, and the action service refused some itself.
      expect(executed, 'executed writes').toBeGreaterThan(2);
      const refused = [...results.values()].filter((v) => v.payload.result!.status === 'refused');
      expect(refused.length, 'refused by the action service').toBeGreaterThan(20);
    }, 300_000);
  }
});
