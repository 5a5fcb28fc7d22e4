import { Inject, Injectable } from '@nestjs/common';
import { nextStep, stepFinished, type StepEnvelope } from '@baton/contracts';
import { MessagingConfig, Routes, type HandlerContext } from '@baton/messaging';
import { EndedRuns, stepMayAct, WORKFLOWS, workflowFor } from '@baton/service-kit';
import type { WorkflowCatalog } from '@baton/workflow';
import { summarize } from '../../domain/evidence.js';
import { SourceRunner } from './source-runner.js';

/**
 * Step 2 of the run protocol: runs every context source of the run's workflow concurrently,
 * each within its timeout, and hands the evidence to the decision step. Weak or missing
 * evidence is recorded with a note and flagged (`weakEvidence`), never hidden.
 */
@Injectable()
export class GatherContextUseCase {
  constructor(
    @Inject(WORKFLOWS) private readonly workflows: WorkflowCatalog,
    private readonly sources: SourceRunner,
    private readonly routes: Routes,
    private readonly endedRuns: EndedRuns,
    private readonly messaging: MessagingConfig,
  ) {}

  async execute(envelope: StepEnvelope<'context'>, ctx: HandlerContext): Promise<void> {
    const startedAt = new Date();
    const workflow = workflowFor(this.workflows, envelope);
    if (!(await stepMayAct(envelope, ctx, this.routes, this.endedRuns, startedAt))) return;

    const { trigger } = envelope.payload;
    // An unavailable source fails the attempt (retried with backoff); on the last attempt it
    // is recorded as failed evidence, which the decision step does not read as "not found".
    const lastAttempt = ctx.attempt >= this.messaging.retryMaxAttempts;
    const gathered = await Promise.all(
      workflow.context.sources.map((source) =>
        this.sources.gather(source, { trigger }, lastAttempt),
      ),
    );
    const evidence = gathered.map((g) => g.evidence);
    const weakEvidence = evidence.some((e) => e.weak);

    ctx.emit(
      this.routes.step('decision'),
      nextStep(
        envelope,
        { name: 'decide', kind: 'decision' },
        {
          kind: 'decision',
          state: { trigger, evidence, weakEvidence, history: [] },
          reason: 'context-gathered',
        },
      ),
    );
    ctx.emit(
      this.routes.get('run.events'),
      stepFinished(envelope, {
        outcome: weakEvidence ? 'gathered-weak' : 'gathered',
        startedAt,
        input: {
          eventType: trigger.eventType,
          sources: workflow.context.sources.map((s) => s.name),
        },
        output: {
          ...summarize(gathered),
          weakEvidence,
          ...(ctx.attempt > 1 ? { attempts: ctx.attempt } : {}),
        },
      }),
    );
  }
}
