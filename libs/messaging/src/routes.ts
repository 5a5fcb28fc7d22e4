import {
  topicNames,
  type EffectRecord,
  type RunEvent,
  type StepEnvelope,
  type StepKind,
  type TriggerEvent,
  type TopicNames,
} from '@baton/contracts';
import {
  effectRecordCodec,
  runEndedCodec,
  runEventCodec,
  stepEnvelopeCodec,
  triggerEventCodec,
} from './codec/message-codec.js';
import type { Route } from './pipeline/message-pipeline.js';

/** Logical route names: what handlers subscribe to, independent of the topic prefix. */
export type RouteName =
  'trigger.ingress' | 'run.events' | 'run.ended' | 'effects' | `step.${StepKind}`;

export interface RouteTypes {
  'trigger.ingress': TriggerEvent;
  'run.events': RunEvent;
  'run.ended': RunEvent;
  effects: EffectRecord;
  'step.context': StepEnvelope<'context'>;
  'step.decision': StepEnvelope<'decision'>;
  'step.action': StepEnvelope<'action'>;
  'step.validation': StepEnvelope<'validation'>;
  'step.escalation': StepEnvelope<'escalation'>;
}

/** Resolves logical route names to topics for one topic prefix. */
export class Routes {
  readonly names: TopicNames;

  constructor(prefix?: string) {
    this.names = topicNames(prefix);
  }

  get<N extends RouteName>(name: N): Route<RouteTypes[N]> {
    if (name === 'trigger.ingress') {
      return {
        topic: this.names.triggerIngress,
        codec: triggerEventCodec,
        public: true,
      } as Route<RouteTypes[N]>;
    }
    if (name === 'run.events') {
      return {
        topic: this.names.runEvents,
        codec: runEventCodec,
        groupCommit: true,
      } as Route<RouteTypes[N]>;
    }
    if (name === 'run.ended') {
      return {
        topic: this.names.runEnded,
        codec: runEndedCodec,
        groupCommit: true,
      } as Route<RouteTypes[N]>;
    }
    if (name === 'effects') {
      return { topic: this.names.effects, codec: effectRecordCodec } as Route<RouteTypes[N]>;
    }
    const kind = name.slice('step.'.length) as StepKind;
    return { topic: this.names.steps[kind], codec: stepEnvelopeCodec } as unknown as Route<
      RouteTypes[N]
    >;
  }

  /** The route of a step envelope, by its kind. */
  step<K extends StepKind>(kind: K): Route<StepEnvelope<K>> {
    return this.get(`step.${kind}`) as unknown as Route<StepEnvelope<K>>;
  }
}
