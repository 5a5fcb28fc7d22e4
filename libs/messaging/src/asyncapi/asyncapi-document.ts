import {
  DEFAULT_TOPIC_PREFIX,
  EffectRecord,
  RunEvent,
  SIGNATURE_HEADER,
  STEP_KINDS,
  STEP_PAYLOAD_CLASSES,
  StepEnvelopeDto,
  TRACEPARENT_PATTERN,
  TriggerEvent,
  UUID_V7_PATTERN,
  WORKFLOW_ID_PATTERN,
  WorkflowRecord,
  allTopics,
  contractDefinitions,
  deadLetterTopic,
  reachableDefinitions,
  topicNames,
  type StepKind,
} from '@baton/contracts';
import {
  effectRecordCodec,
  runEndedCodec,
  runEventCodec,
  stepEnvelopeCodec,
  triggerEventCodec,
  type MessageCodec,
} from '../codec/message-codec.js';
import { DEAD_LETTER_REASONS, DLQ_HEADER } from '../pipeline/dead-letter.js';

type Json = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';
const KAFKA_BINDING = '0.5.0';

/** A pattern's source without its anchors, to build a bigger pattern from it. */
const inner = (pattern: RegExp) => pattern.source.replace(/^\^|\$$/g, '');

/** How one source topic is written and read: what the AsyncAPI document says of it. */
interface TopicDoc {
  id: string;
  description: string;
  /** Its message: a name, a summary, and the schema of the value. */
  message: { name: string; summary: string; payload: Json };
  key: Json;
  headers: Record<string, Json>;
  required: string[];
  /** Baton writes it (false: only upstream systems do). */
  sends: boolean;
  compacted?: boolean;
}

const traceHeaders: Record<string, Json> = {
  traceparent: {
    type: 'string',
    pattern: TRACEPARENT_PATTERN.source,
    description: 'W3C trace context of the span that sent the record (absent with tracing off).',
  },
  tracestate: { type: 'string', description: 'W3C trace state, when the trace has one.' },
  baggage: { type: 'string', description: 'W3C baggage, when the context has any.' },
};

/** The headers Baton's messaging layer puts on what it sends (encodeWithTrace, the outbox). */
function sentHeaders(codec: MessageCodec<never>): Record<string, Json> {
  return {
    'content-type': { const: 'application/json' },
    'baton-codec': { const: codec.name, description: 'The contract the value is written in.' },
    ...traceHeaders,
    [SIGNATURE_HEADER]: signatureHeader,
  };
}

const signatureHeader: Json = {
  type: 'string',
  pattern: '^v1\\.[A-Za-z0-9_-]+$',
  description:
    "`v1.<base64url HMAC-SHA256>` of topic, key and value with the deployment's BATON_SIGNING_KEY (docs/contracts.md#signed-records). Required with Kafka: a record without a valid one is dead-lettered as `unsigned`.",
};

const runIdKey: Json = {
  type: 'string',
  pattern: UUID_V7_PATTERN.source,
  description: 'The run id: the records of one run keep their order.',
};

function topicDocs(prefix: string): Map<string, TopicDoc> {
  const names = topicNames(prefix);
  const step = (kind: StepKind): [string, TopicDoc] => [
    names.steps[kind],
    {
      id: `step${kind[0]!.toUpperCase()}${kind.slice(1)}`,
      description: `Step envelopes for the ${kind} service: the run's next ${kind} step.`,
      message: {
        name: `${kind}StepEnvelope`,
        summary: `A step envelope of kind \`${kind}\` (its payload a ${STEP_PAYLOAD_CLASSES[kind].name}).`,
        payload: {
          allOf: [
            { $ref: `${COMPONENTS}${StepEnvelopeDto.name}` },
            {
              properties: {
                step: { properties: { kind: { const: kind } } },
                payload: { $ref: `${COMPONENTS}${STEP_PAYLOAD_CLASSES[kind].name}` },
              },
            },
          ],
        },
      },
      key: runIdKey,
      headers: sentHeaders(stepEnvelopeCodec as MessageCodec<never>),
      required: ['content-type', 'baton-codec'],
      sends: true,
    },
  ];
  const docs: Array<[string, TopicDoc]> = [
    [
      names.triggerIngress,
      {
        id: 'triggerIngress',
        description:
          'Upstream systems publish trigger events here to start workflow runs (docs/contracts.md#the-trigger-event-v1); the trigger service reads it. The only topic that needs no signature.',
        message: {
          name: 'triggerEvent',
          summary: 'A trigger event, version 1.',
          payload: { $ref: `${COMPONENTS}${TriggerEvent.name}` },
        },
        key: {
          type: 'string',
          description: `Recommended: \`<tenantId>:<idempotencyKey>\` (what Baton itself would key it by, codec ${triggerEventCodec.name}): one business event's resends stay in order.`,
        },
        headers: {
          'content-type': { const: 'application/json' },
          traceparent: {
            ...traceHeaders['traceparent'],
            description: "The upstream system's own W3C trace context, to join its trace.",
          },
        },
        required: [],
        sends: false,
      },
    ],
    ...STEP_KINDS.map(step),
    [
      names.runEvents,
      {
        id: 'runEvents',
        description:
          "Every run's lifecycle events (started, step finished, waiting, resumed, ended), from every service; the trigger service keeps the run ledger from them.",
        message: {
          name: 'runEvent',
          summary: 'A run event, version 1.',
          payload: { $ref: `${COMPONENTS}${RunEvent.name}` },
        },
        key: runIdKey,
        headers: sentHeaders(runEventCodec as MessageCodec<never>),
        required: ['content-type', 'baton-codec'],
        sends: true,
      },
    ],
    [
      names.runEnded,
      {
        id: 'runEnded',
        description:
          "Only the terminal run events (`run.ended`), relayed by the trigger service's run ledger for the step services, keyed apart from the run's steps so a service learns of the end while a step of the run is under way.",
        message: {
          name: 'runEnded',
          summary: 'A `run.ended` run event, version 1.',
          payload: { $ref: `${COMPONENTS}${RunEvent.name}` },
        },
        key: {
          type: 'string',
          pattern: `^run-ended:${inner(UUID_V7_PATTERN)}$`,
          description: '`run-ended:<runId>`.',
        },
        headers: sentHeaders(runEndedCodec as MessageCodec<never>),
        required: ['content-type', 'baton-codec'],
        sends: true,
      },
    ],
    [
      names.effects,
      {
        id: 'effects',
        description:
          'Every write the action service executed (or recorded in shadow mode) for a tool with effect limits, with what it counts toward them; the escalation service keeps its copy of the effect ledger from it.',
        message: {
          name: 'effectRecord',
          summary: 'An effect record, version 1.',
          payload: { $ref: `${COMPONENTS}${EffectRecord.name}` },
        },
        key: runIdKey,
        headers: sentHeaders(effectRecordCodec as MessageCodec<never>),
        required: ['content-type', 'baton-codec'],
        sends: true,
      },
    ],
    [
      names.workflowDefinitions,
      {
        id: 'workflowDefinitions',
        description:
          'The workflow registry: every published workflow version, written by the trigger service (`POST /v1/workflows`, the bundled definitions at start) and read from the beginning by every service. Compacted.',
        message: {
          name: 'workflowRecord',
          summary: 'A workflow registry record, version 1.',
          payload: { $ref: `${COMPONENTS}${WorkflowRecord.name}` },
        },
        key: {
          type: 'string',
          pattern: `^${inner(WORKFLOW_ID_PATTERN)}@[1-9][0-9]*$`,
          description: '`<workflowId>@<version>`.',
        },
        headers: {
          'content-type': { const: 'application/json' },
          [SIGNATURE_HEADER]: signatureHeader,
        },
        required: ['content-type'],
        sends: true,
        compacted: true,
      },
    ],
  ];
  return new Map(docs);
}

/** What a dead-letter topic holds: the source record unchanged, with why in its headers. */
function deadLetterDoc(source: TopicDoc): TopicDoc {
  return {
    id: `${source.id}DeadLetters`,
    description: `What could not be handled on the ${source.id} topic: the record unchanged (key, value, headers), with why in the \`baton-dlq-*\` headers (docs/contracts.md#dead-letter-topics). The trigger service reads it into \`GET /v1/dead-letters\`; an admin's replay sends a record back to the ${source.id} topic as it was.`,
    message: {
      name: `${source.message.name}DeadLetter`,
      summary: `A dead-lettered record of the ${source.id} topic.`,
      payload: {
        description: `The source record's value as it was: a ${source.message.name} unless it could not be read as one (\`invalid-message\`) or was not signed (\`unsigned\`).`,
        anyOf: [source.message.payload, {}],
      },
    },
    key: { ...source.key, description: "The source record's key." },
    headers: {
      ...source.headers,
      [DLQ_HEADER.reason]: { enum: [...DEAD_LETTER_REASONS] },
      [DLQ_HEADER.errors]: {
        type: 'string',
        description: 'A JSON array of messages, each naming the field or the error.',
      },
      [DLQ_HEADER.sourceTopic]: { type: 'string' },
      [DLQ_HEADER.sourcePartition]: { type: 'string', pattern: '^[0-9]+$' },
      [DLQ_HEADER.sourceOffset]: { type: 'string', pattern: '^[0-9]+$' },
      [DLQ_HEADER.consumer]: { type: 'string', description: 'The consumer group that gave up.' },
      [DLQ_HEADER.attempts]: {
        type: 'string',
        pattern: '^[0-9]+$',
        description: 'Attempts made (0 for a message that could not be read).',
      },
      [DLQ_HEADER.failedAt]: { type: 'string', format: 'date-time' },
    },
    required: Object.values(DLQ_HEADER),
    sends: true,
  };
}

/**
 * The AsyncAPI 3.0 document of every topic Baton uses (`allTopics`, dead-letter topics
 * included): its key, the headers the messaging layer sets, and its message, whose schema is
 * generated from the contract class the topic's codec validates with. A topic without a
 * description here fails the generation (and the test that every topic is documented).
 */
export function asyncApiDocument(version: string, prefix = DEFAULT_TOPIC_PREFIX): Json {
  const docs = topicDocs(prefix);
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  for (const topic of allTopics(topicNames(prefix))) {
    const source = [...docs.keys()].find((name) => deadLetterTopic(name) === topic);
    const doc = source ? deadLetterDoc(docs.get(source)!) : docs.get(topic);
    if (!doc) throw new Error(`topic ${topic} has no AsyncAPI description (asyncapi-document.ts)`);
    const messageRef = { $ref: `#/components/messages/${doc.message.name}` };
    messages[doc.message.name] = {
      name: doc.message.name,
      summary: doc.message.summary,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: doc.headers,
        ...(doc.required.length ? { required: doc.required } : {}),
      },
      payload: doc.message.payload,
      bindings: { kafka: { key: doc.key, bindingVersion: KAFKA_BINDING } },
    };
    channels[doc.id] = {
      address: topic,
      description: doc.description,
      messages: { [doc.message.name]: messageRef },
      ...(doc.compacted
        ? {
            bindings: {
              kafka: {
                topicConfiguration: { 'cleanup.policy': ['compact'] },
                bindingVersion: KAFKA_BINDING,
              },
            },
          }
        : {}),
    };
    const channelMessage = { $ref: `#/channels/${doc.id}/messages/${doc.message.name}` };
    const channelRef = { $ref: `#/channels/${doc.id}` };
    if (doc.sends)
      operations[`send${capital(doc.id)}`] = {
        action: 'send',
        channel: channelRef,
        messages: [channelMessage],
      };
    // Baton reads every topic: a dead-letter one, the trigger service's collector.
    operations[`receive${capital(doc.id)}`] = {
      action: 'receive',
      channel: channelRef,
      messages: [channelMessage],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Baton topics',
      version,
      description: `Every Kafka topic Baton uses, with the default prefix \`${DEFAULT_TOPIC_PREFIX}\` (BATON_TOPIC_PREFIX changes it): its key, its headers and its message. Values are UTF-8 JSON. Generated from the contract classes by \`npm run docs:generate\`; docs/contracts.md explains them.`,
    },
    defaultContentType: 'application/json',
    servers: {
      kafka: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'The brokers in KAFKA_BROKERS (the local broker by default).',
      },
    },
    channels,
    operations,
    components: { messages, schemas: payloadSchemas(messages) },
  };
}

/** The schemas the messages refer to, generated from the contract classes' decorators. */
function payloadSchemas(messages: Json): Record<string, Json> {
  const defs = contractDefinitions(COMPONENTS) as Record<string, Json>;
  const text = JSON.stringify(messages);
  const roots = [...text.matchAll(/"#\/components\/schemas\/([A-Za-z0-9_]+)"/g)].map((m) => m[1]!);
  const names = new Set(roots.flatMap((root) => reachableDefinitions(root, defs, COMPONENTS)));
  return Object.fromEntries([...names].sort().map((name) => [name, defs[name]!]));
}

function capital(text: string): string {
  return `${text[0]!.toUpperCase()}${text.slice(1)}`;
}
