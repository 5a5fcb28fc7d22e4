import { runEventFor, type RunEvent } from '@baton/contracts';
import { EndedRuns } from '@baton/service-kit';
import { ScriptedOpenAI, expectEventually } from '@baton/testing';
import {
  ofRun,
  startServiceInProcess,
  type InProcessService,
  type Read,
} from '@baton/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionService } from './decision.service-definition.js';
import { aDecision, aModelCredit } from './testing/decision-envelopes.fixture.js';

// A run that ends (a cancel) while its decision is with the model: the model's answer is
// reported and never acted on. The model client's timeout is long here, so only the test's
// gate decides when the call in flight returns.
describe('decision service: a run that ends while the model is asked (in-process transport, real Postgres, scripted OpenAI endpoint)', () => {
  const scripted = new ScriptedOpenAI();
  let service: InProcessService;
  let events: Read<RunEvent>;

  beforeAll(async () => {
    await scripted.start();
    service = await startServiceInProcess(decisionService, {
      env: {
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: scripted.baseURL,
        OPENAI_TIMEOUT_MS: '120000',
      },
    });
    events = await service.watch(service.names.runEvents);
  });
  afterAll(async () => {
    await service?.close();
    await scripted.stop();
  });

  it("reports the model's decision as refused and sends nothing on, the model call still accounted for", async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    scripted.reply({ json: aModelCredit(), after: answered });
    const envelope = aDecision();
    const asked = scripted.requests.length;
    await service.publish(service.names.steps.decision, envelope);
    // The model has the question; the run is cancelled before it answers. This instance
    // handles a run's messages one at a time, so the run.ended is recorded by another instance
    // of the service (same schema), the way its handler records it.
    await expectEventually(() => expect(scripted.requests.length).toBe(asked + 1));
    const endedRuns = service.running.app.get(EndedRuns);
    await service.dataSource.transaction((manager) =>
      endedRuns.record(
        manager,
        runEventFor(envelope, { type: 'run.ended', status: 'cancelled', reason: 'withdrawn' }),
      ),
    );
    answer();

    const finished = await expectEventually(() => {
      const found = ofRun(events, envelope.runId).find((e) => e.type === 'step.finished');
      expect(found).toBeDefined();
      return found!;
    });
    expect(finished.step).toMatchObject({
      envelopeId: envelope.envelopeId,
      outcome: 'run-ended',
      output: {
        status: 'cancelled',
        reason: 'withdrawn',
        skipped: 'run ended (cancelled: withdrawn)',
        refusedDecision: { next: 'act', tool: 'issue-credit', decidedBy: 'model' },
        model: { tokens: 120, calls: [{ outcome: 'ok' }] },
      },
    });
    const { steps } = service.names;
    for (const topic of [steps.validation, steps.escalation, steps.action])
      expect(service.published(topic, envelope.runId)).toEqual([]);
    // No run.ended of its own: the run had ended already.
    expect(service.published(service.names.runEvents, envelope.runId).map((e) => e.type)).toEqual([
      'step.finished',
    ]);
    // The call was made and paid for: it is recorded.
    expect(
      await service.dataSource.query('SELECT outcome FROM model_calls WHERE run_id = $1', [
        envelope.runId,
      ]),
    ).toEqual([{ outcome: 'ok' }]);
  });
});
