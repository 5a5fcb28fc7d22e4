/*
 * ┌──────────────────────────────────────────────────────────────────────────────────────┐
 * │ TOPIC NAMES ARE A PUBLIC CONTRACT. Upstream systems publish to the trigger ingress     │
 * │ topic and operators alert on the dead-letter topics. Renaming a topic is a migration:  │
 * │ create the new topic, move producers, drain the old one, then move consumers.          │
 * └──────────────────────────────────────────────────────────────────────────────────────┘
 */
import { STEP_KINDS, type StepKind } from './envelope/step-kind.js';

/** Default prefix; `BATON_TOPIC_PREFIX` changes it (for instance per environment). */
export const DEFAULT_TOPIC_PREFIX = 'baton.';

/** Suffix of the dead-letter topic that receives what could not be handled on a topic. */
export const DEAD_LETTER_SUFFIX = '.dlq';

export interface TopicNames {
  /** Upstream systems publish trigger events here (JSON, see docs/contracts.md). */
  readonly triggerIngress: string;
  /** One input topic per step kind; the service of that kind consumes it. */
  readonly steps: Readonly<Record<StepKind, string>>;
  /** Every run's lifecycle events (started, step finished, terminal state). */
  readonly runEvents: string;
  /**
   * Only the terminal events (`run.ended`), relayed by the run ledger (the trigger service) for
   * the step services, which must know a run ended but need none of its other events.
   */
  readonly runEnded: string;
  /** Published workflow definitions, compacted, keyed by `<workflowId>@<version>`. */
  readonly workflowDefinitions: string;
  /** Writes the action service executed, with what they count toward effect limits. */
  readonly effects: string;
}

export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX): TopicNames {
  if (!/^[a-zA-Z0-9._-]*$/.test(prefix)) {
    throw new Error(`topic prefix "${prefix}" may hold only letters, digits, ".", "_" and "-"`);
  }
  const steps = Object.fromEntries(STEP_KINDS.map((kind) => [kind, `${prefix}step.${kind}`]));
  return {
    triggerIngress: `${prefix}trigger.ingress`,
    steps: steps as Record<StepKind, string>,
    runEvents: `${prefix}run.events`,
    runEnded: `${prefix}run.ended`,
    workflowDefinitions: `${prefix}workflow.definitions`,
    effects: `${prefix}effects`,
  };
}

/** The dead-letter topic for a source topic: `<topic>.dlq`. */
export function deadLetterTopic(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

/** Every topic Baton uses, dead-letter topics included, for provisioning. */
export function allTopics(names: TopicNames): string[] {
  const sources = [
    names.triggerIngress,
    ...Object.values(names.steps),
    names.runEvents,
    names.runEnded,
    names.effects,
  ];
  return [...sources, ...sources.map(deadLetterTopic), names.workflowDefinitions];
}
