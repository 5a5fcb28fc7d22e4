import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { StepEnvelope } from '@baton/contracts';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { ScriptedOpenAI, expectEventually, writeWorkflows } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionService } from './decision.service-definition.js';
import { aDecision, aModelCredit } from './testing/decision-envelopes.fixture.js';

type Workflow = Record<string, unknown> & {
  decision: Record<string, unknown> & { model: Record<string, unknown> };
};
const billing = parseYaml(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Workflow;
// The billing workflow, with credits the model proposes held to a positive number up to 500.
const outputSchema = {
  type: 'object',
  properties: { amount: { type: 'number', exclusiveMinimum: 0, maximum: 500 } },
};
const withOutputSchema: Workflow = {
  ...billing,
  decision: { ...billing.decision, model: { ...billing.decision.model, outputSchema } },
};

const credit = (amount: unknown) => aModelCredit({ amount });

describe('decision.model.outputSchema (in-process transport, real Postgres, scripted OpenAI endpoint)', () => {
  const scripted = new ScriptedOpenAI();
  let service: InProcessService;
  let validations: Read<StepEnvelope<'validation'>>;
  let escalations: Read<StepEnvelope<'escalation'>>;

  const modelCalls = (runId: string) =>
    service.dataSource.query(
      'SELECT attempt, outcome, problem FROM model_calls WHERE run_id = $1 ORDER BY attempt',
      [runId],
    ) as Promise<Array<{ attempt: number; outcome: string; problem: string | null }>>;

  beforeAll(async () => {
    await scripted.start();
    service = await startServiceInProcess(decisionService, {
      workflowsDir: writeWorkflows([withOutputSchema]),
      env: {
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: scripted.baseURL,
        OPENAI_TIMEOUT_MS: '1500',
      },
    });
    validations = await service.watch(service.names.steps.validation);
    escalations = await service.watch(service.names.steps.escalation);
  });
  afterAll(async () => {
    await service?.close();
    await scripted.stop();
  });

  it('retries args that break the schema as an invalid output, and sends on the valid answer', async () => {
    scripted.reply({ json: credit('49') }, { json: credit(49) });
    const asked = scripted.requests.length;
    const envelope = aDecision();
    await service.publish(service.names.steps.decision, envelope);

    const [proposal] = await expectEventually(() => {
      expect(ofRun(validations, envelope.runId)).toHaveLength(1);
      return ofRun(validations, envelope.runId);
    });
    expect(proposal!.payload.decision).toMatchObject({
      next: 'act',
      tool: 'issue-credit',
      args: { amount: 49 },
      decidedBy: 'model',
    });
    expect(await modelCalls(envelope.runId)).toEqual([
      {
        attempt: 1,
        outcome: 'invalid-output',
        problem: 'invalid output (args.amount: must be number)',
      },
      { attempt: 2, outcome: 'ok', problem: null },
    ]);
    // The model is told the schema (in the args description), not held to it by strict mode.
    const schema = JSON.stringify(scripted.requests[asked]!.body['response_format']);
    expect(schema).toContain(JSON.stringify(JSON.stringify(outputSchema)).slice(1, -1));
  });

  it('escalates with the failing path once maxInvalidOutputs answers broke the schema', async () => {
    scripted.reply({ json: credit(-5) }, { json: credit('49') }, { json: credit(900) });
    const envelope = aDecision();
    await service.publish(service.names.steps.decision, envelope);

    const [escalation] = await expectEventually(() => {
      expect(ofRun(escalations, envelope.runId)).toHaveLength(1);
      return ofRun(escalations, envelope.runId);
    });
    expect(escalation!.payload).toMatchObject({
      reason:
        'model unavailable: invalid output (args.amount: must be > 0), invalid output (args.amount: must be number), invalid output (args.amount: must be <= 500)',
      decision: { next: 'escalate', label: 'model-unavailable', decidedBy: 'model' },
    });
    expect((await modelCalls(envelope.runId)).map((call) => call.outcome)).toEqual([
      'invalid-output',
      'invalid-output',
      'invalid-output',
    ]);
    expect(service.published(service.names.steps.validation, envelope.runId)).toEqual([]);
  });
});
