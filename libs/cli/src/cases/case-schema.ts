import {
  CASE_STATUSES,
  COMMON_TAGS,
  DUPLICATE_ANSWERS,
  MAX_EARLIER,
  MAX_REPEAT,
} from './workflow-case.js';

type Schema = Record<string, unknown>;

export const CASE_SCHEMA_FILE = 'workflow-case.v1.schema.json';

/** Any mapping: event data, a decision, tool arguments. */
const anyObject: Schema = { type: 'object' };
const text = (description: string, maxLength: number): Schema => ({
  type: 'string',
  minLength: 1,
  maxLength,
  description,
});

/**
 * The JSON Schema (draft 2020-12) of a workflow case file, for editors
 * (`# yaml-language-server: $schema=../../../docs/schemas/workflow-case.v1.schema.json`).
 * `npm run docs:generate` writes it to docs/schemas/; a unit test fails when the committed
 * file is stale and checks that it accepts what `baton cases` accepts. The command checks
 * more: the event type, tools and required fields against the workflow's definition.
 */
export function workflowCaseSchema(): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://baton.dev/schemas/${CASE_SCHEMA_FILE}`,
    title: 'Baton workflow case, format version 1',
    description:
      'One case of a workflow (workflows/<id>/cases/<case-name>.yaml): the trigger event, the scripted model replies, what a reviewer does, the expected outcome. docs/cases.md describes every field.',
    type: 'object',
    additionalProperties: false,
    required: ['formatVersion', 'description', 'trigger', 'expect'],
    properties: {
      formatVersion: { const: 1, description: 'The case format version: 1.' },
      description: {
        type: 'string',
        minLength: 1,
        maxLength: 300,
        pattern: '^[^\\n]*$',
        description: 'The case in one line.',
      },
      tags: {
        type: 'array',
        items: {
          type: 'string',
          pattern: '^[a-z][a-z0-9-]{0,39}$',
          examples: [...COMMON_TAGS],
        },
        description: `What makes the case ugly: ${COMMON_TAGS.join(', ')}.`,
      },
      earlier: {
        type: 'array',
        maxItems: MAX_EARLIER,
        items: { $ref: '#/$defs/EarlierRun' },
        description:
          "Runs made before the case's own, in order and in the case's tenant, each to its end (a run left waiting for review is cancelled). What they write counts toward the workflow's effect limits: how a case says the same thing was done in an earlier run.",
      },
      trigger: { $ref: '#/$defs/Trigger' },
      model: {
        type: 'array',
        items: { $ref: '#/$defs/ModelStep' },
        description:
          "The model's answers for this run, in call order; the run must ask exactly this many times.",
      },
      review: {
        type: 'array',
        items: { $ref: '#/$defs/ReviewStep' },
        description:
          "What the reviewer does with the run's open tasks, one entry per task in order. Without a (further) entry the run is expected to wait for review.",
      },
      expect: { $ref: '#/$defs/Expect' },
    },
    $defs: {
      Trigger: {
        type: 'object',
        additionalProperties: false,
        required: ['eventType', 'data'],
        description:
          'The trigger event, minus what the runner fills (schemaVersion, idempotencyKey, workflowId, tenantId).',
        properties: {
          eventType: text("One of the workflow's trigger.eventTypes.", 200),
          source: text('The upstream system (default baton-cases).', 200),
          data: {
            ...anyObject,
            description: "The event's data (what the workflow reads as trigger.data).",
          },
          repeat: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_REPEAT,
            default: 1,
            description:
              'Send the same event (same idempotency key) this many times; every send must name the same run.',
          },
        },
      },
      EarlierRun: {
        type: 'object',
        additionalProperties: false,
        required: ['eventType', 'data'],
        description:
          "A run made before the case's own: its event (as the trigger's) and the model's answers for it.",
        properties: {
          eventType: text("One of the workflow's trigger.eventTypes.", 200),
          source: text('The upstream system (default baton-cases).', 200),
          data: {
            ...anyObject,
            description: "The event's data (what the workflow reads as trigger.data).",
          },
          model: {
            type: 'array',
            items: { $ref: '#/$defs/ModelStep' },
            description:
              "The model's answers for this run, in call order; the run must ask exactly this many times.",
          },
        },
      },
      ModelStep: {
        description: 'Exactly one of reply, text or status.',
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['reply'],
            properties: {
              reply: {
                ...anyObject,
                description:
                  'A decision { next, tool, args, label, confidence, rationale }, sent as the JSON message content.',
              },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['text'],
            properties: {
              text: {
                type: 'string',
                description: 'Raw message content, as is (invalid JSON, prose).',
              },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['status'],
            properties: {
              status: {
                type: 'integer',
                minimum: 400,
                maximum: 599,
                description: 'An HTTP error from the model endpoint.',
              },
            },
          },
        ],
      },
      ReviewStep: {
        description: 'Exactly one of approve or reject.',
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['approve'],
            properties: {
              approve: {
                type: ['object', 'null'],
                additionalProperties: false,
                description: 'Approve as proposed ({}), or with edited args.',
                properties: {
                  args: {
                    ...anyObject,
                    description: "Merged over the proposal's args: the edited arguments.",
                  },
                  tool: text(
                    'Only for a task without a proposed action: the granted tool to run.',
                    100,
                  ),
                  note: text('A note kept with the decision.', 2000),
                },
              },
              refused: text(
                'The approval must be refused (HTTP 422) with a problem matching this ("~text": containing text, any case); the task stays open and the next entry applies to it.',
                2000,
              ),
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['reject'],
            properties: {
              reject: {
                type: 'object',
                additionalProperties: false,
                required: ['reason'],
                properties: {
                  reason: text("The reviewer's reason; the run ends rejected with it.", 2000),
                },
              },
            },
          },
        ],
      },
      Expect: {
        type: 'object',
        additionalProperties: false,
        required: ['status'],
        properties: {
          status: {
            enum: [...CASE_STATUSES],
            description: 'How the run ends; waiting: an open review task waits for a person.',
          },
          escalated: { type: 'boolean', description: 'Did the run open at least one review task.' },
          escalationReason: text("A case-insensitive substring of the first task's reason.", 2000),
          label: text('The label of the last decision before the end.', 2000),
          reason: text("A case-insensitive substring of the run's terminal reason.", 2000),
          writes: {
            type: 'array',
            items: { $ref: '#/$defs/Write' },
            description:
              'Exactly these write-tool calls, in order (executed, or recorded in shadow mode); [] for none.',
          },
          refused: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['tool'],
              properties: { tool: text('An ungranted tool the decision proposed.', 100) },
            },
            description:
              'Tools the decision proposed that the workflow does not grant: refused, never executed.',
          },
          blocked: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['tool'],
              properties: {
                tool: text('A granted tool whose proposal a guard refused.', 100),
                reason: text(
                  'Why: "~text" matches a reason containing text (any case); otherwise the whole reason.',
                  2000,
                ),
              },
            },
            description:
              'Exactly these proposals refused by a guard, in order: validation failures (pinned, required, maxAmount, checks) and calls the action service refused (effect limits); [] for none.',
          },
          duplicate: {
            enum: [...DUPLICATE_ANSWERS],
            description:
              "The event is the same business event as an earlier run of the case (the workflow's trigger.dedup) and starts no run of its own: joined (HTTP 200, joined: true, the earlier run's id) or refused (HTTP 409 duplicate-event naming it). The rest of expect describes that earlier run. Needs earlier; no model, no review.",
          },
        },
      },
      Write: {
        type: 'object',
        additionalProperties: false,
        required: ['tool'],
        properties: {
          tool: text('A write tool the workflow grants.', 100),
          args: {
            ...anyObject,
            description:
              'A subset of the arguments: listed keys must be equal; "~text" matches a string containing text (any case).',
          },
        },
      },
    },
  };
}
