import type { WorkflowDefinition } from '@baton/workflow';
import type {
  CaseExpectation,
  CaseTrigger,
  EarlierRun,
  ModelStep,
  ReviewStep,
} from './workflow-case.js';

type Problem = (path: string, message: string) => void;

/** What only the workflow's definition can tell. */
export function crossCheck(
  workflow: WorkflowDefinition,
  {
    earlier,
    trigger,
    model,
    review,
    expectation,
  }: {
    earlier: EarlierRun[];
    trigger: CaseTrigger | undefined;
    model: ModelStep[];
    review: ReviewStep[];
    expectation: CaseExpectation | undefined;
  },
  problem: Problem,
): void {
  const granted = new Map(workflow.tools.map((tool) => [tool.name, tool.access]));
  const checkEvent = (
    event: { eventType: string; data: Record<string, unknown> },
    path: string,
  ) => {
    if (!workflow.trigger.eventTypes.includes(event.eventType)) {
      problem(
        `${path}.eventType`,
        `${workflow.id} does not accept ${JSON.stringify(event.eventType)} (trigger.eventTypes: ${workflow.trigger.eventTypes.join(', ')})`,
      );
    }
    const missing = (workflow.trigger.required ?? []).filter(
      (field) => event.data[field] === undefined || event.data[field] === null,
    );
    if (missing.length) {
      problem(
        `${path}.data`,
        `lacks ${missing.join(', ')}, which ${workflow.id} requires (trigger.required): the trigger service refuses such an event and no run starts`,
      );
    }
  };
  const checkModel = (steps: ModelStep[], path: string) => {
    if (steps.length && !workflow.decision.model)
      problem(path, `${workflow.id} has no decision.model: its runs never ask a model`);
  };
  earlier.forEach((run, i) => {
    checkEvent(run, `earlier.${i}`);
    checkModel(run.model, `earlier.${i}.model`);
  });
  if (trigger) checkEvent(trigger, 'trigger');
  checkModel(model, 'model');
  review.forEach((step, i) => {
    if ('approve' in step && step.approve.tool !== undefined && !granted.has(step.approve.tool)) {
      problem(
        `review.${i}.approve.tool`,
        `${workflow.id} does not grant ${step.approve.tool} (tools: ${[...granted.keys()].join(', ')})`,
      );
    }
  });
  const writeTools = [...granted].filter(([, access]) => access === 'write').map(([n]) => n);
  expectation?.writes?.forEach((write, i) => {
    if (granted.get(write.tool) === 'write') return;
    problem(
      `expect.writes.${i}.tool`,
      granted.has(write.tool)
        ? `${write.tool} is a read tool of ${workflow.id}: writes lists write tools (${writeTools.join(', ') || 'none'})`
        : `${workflow.id} does not grant ${write.tool}: a workflow writes only with its write tools (${writeTools.join(', ') || 'none'})`,
    );
  });
  expectation?.refused?.forEach((entry, i) => {
    if (granted.has(entry.tool)) {
      problem(
        `expect.refused.${i}.tool`,
        `${workflow.id} grants ${entry.tool}, so it is never refused as ungranted`,
      );
    }
  });
  const dedup = workflow.trigger.dedup;
  if (expectation?.duplicate && !dedup) {
    problem(
      'expect.duplicate',
      `${workflow.id} declares no trigger.dedup: an event under a new idempotency key always starts a run`,
    );
  } else if (expectation?.duplicate && dedup) {
    const answer = dedup.duplicates === 'join' ? 'joined' : 'refused';
    if (expectation.duplicate !== answer)
      problem(
        'expect.duplicate',
        `${workflow.id} ${dedup.duplicates === 'join' ? 'joins' : 'refuses'} the same business event (trigger.dedup.duplicates: ${dedup.duplicates}): expect.duplicate: ${answer}`,
      );
  }
  expectation?.blocked?.forEach((entry, i) => {
    if (!granted.has(entry.tool)) {
      problem(
        `expect.blocked.${i}.tool`,
        `${workflow.id} does not grant ${entry.tool}: an ungranted tool is refused before any guard sees it (expect.refused)`,
      );
    }
  });
}
