import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  ValidateBy,
  Equals,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { DECISION_NEXT, WORKFLOW_ID_PATTERN, type DecisionNext } from '@baton/contracts';
import { cronProblems } from './cron.js';
import { CONDITION_OPS, type Condition, type ConditionOp } from './expression.js';
import { HTTP_METHODS, type HttpMethod } from './http-request.js';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const NAME_MESSAGE = { message: '$property must be lowercase letters, digits and dashes' };
/** A tool's name as an MCP server lists it (`create_entities`, `tickets.create`). */
const MCP_TOOL_NAME = /^[A-Za-z0-9_.\/-]{1,128}$/;

/** The description (and examples) of a field in the published JSON Schema. */
const Doc = (description: string, ...examples: unknown[]) =>
  JSONSchema({ description, ...(examples.length ? { examples } : {}) });

/** A five-field cron expression (see cron.ts); the message says which field is wrong. */
function IsCron(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCron',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && cronProblems(value).length === 0,
        defaultMessage: ({ value }: ValidationArguments) =>
          typeof value === 'string'
            ? `a cron schedule: ${cronProblems(value).join('; ')}`
            : 'a cron schedule is a string, such as "*/15 8-18 * * 1-5"',
      },
    });
}

/** Longest expression text a definition may hold. */
export const MAX_EXPRESSION_LENGTH = 4000;

/** An HTTP status (`503`) or a class of them (`5xx`), in `retryOn`. */
export const STATUS_PATTERN = /^[1-5]xx$/;

/** Header name → value; `{{ secret.<name> }}` and `{{ path }}` templates in values. */
function IsHeaders(description: string, example: Record<string, string>): PropertyDecorator {
  return (target, propertyName) => {
    JSONSchema(() => ({
      description,
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9-]{1,100}$' },
      additionalProperties: { type: 'string', maxLength: 4000 },
      examples: [example],
    }))(target, propertyName as string);
    registerDecorator({
      name: 'isHeaders',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.entries(value).every(
            ([name, item]) =>
              /^[A-Za-z0-9-]{1,100}$/.test(name) && typeof item === 'string' && item.length <= 4000,
          ),
        defaultMessage: ({ property }: ValidationArguments) =>
          `${property} maps header names (letters, digits, dashes) to text values`,
      },
    });
  };
}

/** `90d`, `12h`, `30m`: a window of time (effect limits, de-duplication). */
export const WINDOW_PATTERN = /^[1-9][0-9]{0,5}[mhd]$/;

/** A window such as `90d` in milliseconds. */
export function windowMs(window: string): number {
  const amount = Number(window.slice(0, -1));
  const unit = window.slice(-1);
  return amount * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
}

/**
 * A list of conditions: each a CEL expression (text) or the simple `{ path, op, value }` form.
 * Here only the shape of each item is checked; the cross-field checks (cross-checks.ts) parse
 * and type-check the expressions and check the simple form, each problem at its own path.
 */
function IsConditions(description: string): PropertyDecorator {
  return (target, propertyName) => {
    // A function replaces what the generator inferred (a $ref to Array) instead of merging.
    JSONSchema(() => ({
      description,
      type: 'array',
      items: {
        oneOf: [
          {
            type: 'string',
            minLength: 1,
            maxLength: MAX_EXPRESSION_LENGTH,
            description:
              'A CEL expression that is true or false, over the same scope: `args.invoiceId in evidence.invoices.map(i, i.id)`. Type-checked when the definition is loaded.',
          },
          { $ref: '#/$defs/ConditionSpec' },
        ],
      },
    }))(target, propertyName as string);
    registerDecorator({
      name: 'isConditions',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          Array.isArray(value) &&
          value.every(
            (item) =>
              (typeof item === 'string' &&
                item.trim().length > 0 &&
                item.length <= MAX_EXPRESSION_LENGTH) ||
              (item !== null && typeof item === 'object' && !Array.isArray(item)),
          ),
        defaultMessage: ({ property }: ValidationArguments) =>
          `${property} is a list of conditions: each a CEL expression (text, at most ${MAX_EXPRESSION_LENGTH} characters) or { path, op, value }`,
      },
    });
  };
}

/** An expression (CEL text) where a value is computed, such as a pinned argument. */
function IsExpression(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isExpression',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.trim().length > 0 &&
          value.length <= MAX_EXPRESSION_LENGTH,
        defaultMessage: ({ property }: ValidationArguments) =>
          `${property} is a CEL expression (text, at most ${MAX_EXPRESSION_LENGTH} characters)`,
      },
    });
}

@JSONSchema({
  description:
    'The simple form of a condition: one dotted path of the run scope, an operator and a constant. A list of conditions holds when all of them hold (an empty list always holds).',
})
export class ConditionSpec {
  @Doc('A dotted path into the scope; array items by index.', 'evidence.invoices.0.amount')
  @IsString()
  @Length(1, 200)
  path!: string;
  @Doc(
    'eq, ne: strict equality. gt, gte, lt, lte: numbers only, no coercion. exists / missing: the value is (not) undefined, null, "" or []. in: the value is one of `value` (a list). contains: case-insensitive substring of a string, or member of a list.',
  )
  @IsIn(CONDITION_OPS)
  op!: ConditionOp;
  @Doc('What the value is compared with; not used by exists and missing.', 50)
  @IsOptional()
  value?: unknown;
}

@JSONSchema({
  description:
    'Business-level de-duplication: events about the same business entity (the same document, lead or question) under different idempotency keys.',
})
export class DedupSpec {
  @Doc(
    'A CEL expression over `trigger` whose value (text or a number) names the business entity the event is about: `trigger.data.documentSha256`, `trigger.data.email.normalizeEmail()`. An event whose key cannot be evaluated or is empty is not de-duplicated.',
    'trigger.data.email.normalizeEmail()',
  )
  @IsExpression()
  key!: string;
  @JSONSchema({
    description:
      'How long after a run started another event with its key counts as the same: a whole number of minutes (`m`), hours (`h`) or days (`d`).',
    examples: ['7d'],
    pattern: WINDOW_PATTERN.source,
  })
  @Matches(WINDOW_PATTERN, { message: 'window is a whole number of m, h or d, such as "7d"' })
  window!: string;
  @Doc(
    'join: the event gets the earlier run (HTTP 200 `{ runId, duplicate: true, joined: true }`), nothing new starts. refuse: it is refused (HTTP 409 `duplicate-event` naming the run; on Kafka, a dead letter with the reason).',
  )
  @IsIn(['join', 'refuse'])
  duplicates!: 'join' | 'refuse';
}

@JSONSchema({ description: 'What starts a run of this workflow.' })
export class TriggerSpec {
  /** Event types that start this workflow. */
  @Doc('Event types that start this workflow.', ['support.ticket.created'])
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  eventTypes!: string[];
  /** Fields of the event's `data` that must be present (dotted paths). */
  @Doc(
    'Fields of the event `data` that must be present (dotted paths relative to `data`); an event without them is refused.',
    ['customerId', 'message'],
  )
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  required?: string[];
  /** Conditions on the event (`trigger.eventType`, `trigger.data…`); all must hold. */
  @IsConditions(
    'Conditions on the event, all of which must hold for it to start a run. They see only `trigger` (`trigger.eventType`, `trigger.source`, `trigger.data.…`). An event that does not match (or that a condition cannot be evaluated on) is ignored, not refused: HTTP answers 200 `{ status: "ignored", reason }` naming the filter, Kafka skips it; nothing is recorded and its idempotency key stays unused. Checked before `required`.',
  )
  @IsOptional()
  filters?: Condition[];
  /** Five-field cron (`minute hour day-of-month month day-of-week`), for scheduled runs. */
  @JSONSchema({
    description:
      'When scheduled runs start: five-field cron (`minute hour day-of-month month day-of-week`), each field `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma-separated list; day-of-week 0 and 7 are Sunday. Times are UTC.',
    examples: ['0 6 * * 1-5'],
    pattern: '^\\s*\\S+(\\s+\\S+){4}\\s*$',
  })
  @IsOptional()
  @IsString()
  @IsCron()
  schedule?: string;
  /** The same business event under a new idempotency key: joins the earlier run or is refused. */
  @IsOptional()
  @ValidateNested()
  @Type(() => DedupSpec)
  dedup?: DedupSpec;
}

@JSONSchema({
  description:
    'One place evidence comes from. Each source yields `evidence.<name>` in the rule scope.',
})
export class ContextSourceSpec {
  @Doc('Names the evidence: `evidence.<name>`.', 'customer')
  @Matches(NAME, NAME_MESSAGE)
  name!: string;
  @Doc(
    'sql: a read-only query against the business database; knowledge: a search of a document collection; http: a GET request; mcp: a tool of an MCP server the deployment declares (`BATON_MCP_SERVERS`), called as a read.',
  )
  @IsIn(['sql', 'knowledge', 'http', 'mcp'])
  kind!: 'sql' | 'knowledge' | 'http' | 'mcp';
  /** sql: a parameterised, read-only query ($1, $2, …) against the business database. */
  @Doc(
    'sql: a parameterised query ($1, $2, …), read-only: SELECT or WITH.',
    'SELECT id, name FROM billing.customers WHERE id = $1',
  )
  @IsOptional()
  @IsString()
  query?: string;
  /** sql: paths whose values bind to $1, $2, …; knowledge: the path of the search text. */
  @Doc('sql: paths whose values bind to $1, $2, …; knowledge: [the path of the search text].', [
    'trigger.data.customerId',
  ])
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  params?: string[];
  /** knowledge: the document collection to search. */
  @Doc('knowledge: the document collection searched.', 'billing-policy')
  @IsOptional()
  @IsString()
  collection?: string;
  /** http: a GET URL, `{{ path }}` templates allowed. */
  @Doc(
    'http: the URL fetched with GET; `{{ path }}` templates allowed in the path and the query. It may start with `{{ endpoint.<name> }}`, a base URL of the deployment (BATON_ENDPOINTS).',
    'https://crm.example/customers/{{ trigger.data.customerId }}',
  )
  @IsOptional()
  @IsString()
  url?: string;
  /** http: request headers; values may name secrets of the deployment. */
  @IsHeaders(
    'http: request headers. Values may hold `{{ path }}` templates and `{{ secret.<name> }}`, a secret of the deployment (docs/secrets-and-outbound.md), never written in the file.',
    { authorization: 'Bearer {{ secret.crm-token }}' },
  )
  @IsOptional()
  headers?: Record<string, string>;
  @Doc('mcp: the MCP server, by the name the deployment declares it under.', 'crm')
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  server?: string;
  @Doc('mcp: the tool of that server, as the server names it.', 'search_nodes')
  @IsOptional()
  @Matches(MCP_TOOL_NAME, { message: 'tool is a tool name as the MCP server lists it' })
  tool?: string;
  @Doc(
    'mcp: the arguments of the call, a template over `{ trigger }`: a string that is one `{{ path }}` alone keeps the value’s type. Checked against the tool’s input schema before the call. Absent: no arguments.',
    { query: '{{ trigger.data.email }}' },
  )
  @IsOptional()
  @IsObject()
  arguments?: Record<string, unknown>;
  /** sql: one row (`one`) or a list (`many`). */
  @Doc('sql: the evidence is one row (`one`) or the list of rows (`many`).')
  @IsOptional()
  @IsIn(['one', 'many'])
  rows?: 'one' | 'many';
  @Doc('knowledge: the most passages returned.', 3)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
  /** knowledge: passages scoring below this are flagged weak. */
  @Doc('knowledge: passages scoring below this are flagged weak.', 0.01)
  @IsOptional()
  @IsNumber()
  @Min(0)
  minScore?: number;
  @Doc('How long the source may take, in milliseconds.', 2000)
  @IsInt()
  @Min(10)
  @Max(60_000)
  timeoutMs!: number;
  /** Missing evidence from a required source is flagged as weak evidence for the decision. */
  @Doc(
    'When true, missing evidence from this source is flagged as weak evidence (`weakEvidence`) for the decision.',
  )
  @IsBoolean()
  required!: boolean;
}

@JSONSchema({ description: 'The evidence gathered before each decision.' })
export class ContextSpec {
  @Doc('Gathered in parallel; each names its evidence.')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ContextSourceSpec)
  sources!: ContextSourceSpec[];
}

@JSONSchema({ description: 'What a rule decides.' })
export class OutcomeSpec {
  @Doc(
    'act: run a granted tool; escalate: send to a reviewer; complete: the run succeeded; fail: the run failed.',
  )
  @IsIn(DECISION_NEXT)
  next!: DecisionNext;
  @Doc('act: the granted tool to run.', 'issue-credit')
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  tool?: string;
  /** Tool arguments; `{{ path }}` templates are rendered against the run. */
  @Doc('act: the tool arguments; `{{ path }}` templates are rendered against the rule scope.', {
    customerId: '{{ trigger.data.customerId }}',
  })
  @IsOptional()
  @IsObject()
  args?: Record<string, unknown>;
  @Doc('A short label for reports and review queues.', 'disputed-charge')
  @IsString()
  @Length(1, 100)
  label!: string;
  @Doc('How sure the rule is, 0 to 1.', 0.9)
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence!: number;
  @Doc('Why: recorded with the decision and shown to reviewers.')
  @IsString()
  @Length(1, 1000)
  rationale!: string;
}

@JSONSchema({
  description: 'A deterministic rule: when all conditions hold, it decides without the model.',
})
export class RuleSpec {
  @Doc('Names the rule in the run history.', 'structured-dispute')
  @Matches(NAME, NAME_MESSAGE)
  name!: string;
  @IsConditions(
    'Conditions on the rule scope; all must hold. A condition that cannot be evaluated on a run (a field the run lacks) does not hold.',
  )
  when!: Condition[];
  @Doc('The decision taken when the rule holds.')
  @IsDefined()
  @ValidateNested()
  @Type(() => OutcomeSpec)
  then!: OutcomeSpec;
}

@JSONSchema({ description: 'The model asked when no rule decides.' })
export class ModelSpec {
  @Doc('The model name, as the provider spells it.', 'gpt-4.1-mini')
  @IsString()
  @Length(1, 200)
  name!: string;
  @Doc('The system prompt: the task, the allowed choices, what never to do.')
  @IsString()
  @Length(1, 20_000)
  prompt!: string;
  @Doc('Sampling temperature, 0 to 2; 0 for repeatable decisions.', 0)
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature!: number;
  @Doc('The labels the model may choose from.', ['duplicate-charge', 'unclear'])
  @IsArray()
  @ArrayMinSize(1)
  @IsString({ each: true })
  labels!: string[];
  /** Extra JSON Schema the model's proposed `args` must satisfy. */
  @Doc(
    'An extra JSON Schema (draft 2020-12; no `format`) that the arguments of an `act` the model proposes (`args`, without those it set to null) must satisfy, on top of the decision contract. An answer that breaks it is an invalid output naming the failing path (`args.amount: must be number`), retried up to `maxInvalidOutputs`; then the run escalates. Checked at load.',
    { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } },
  )
  @IsOptional()
  @IsObject()
  outputSchema?: Record<string, unknown>;
  /** Price per 1k tokens, for the cost budget. */
  @Doc('Price per 1,000 tokens in USD, counted against `limits.maxCostUsd`.', 0.0006)
  @IsNumber()
  @Min(0)
  costPer1kTokensUsd!: number;
  /** Invalid model outputs tolerated per decision before the run escalates. */
  @Doc('Invalid model outputs tolerated per decision before the run escalates, 0 to 5.', 2)
  @IsInt()
  @Min(0)
  @Max(5)
  maxInvalidOutputs!: number;
  /** The most one reply may use, in tokens; reserved from the run's budget before each call. */
  @Doc(
    'The most one reply may use, in tokens (sent as `max_tokens`). Before each call Baton reserves the worst case — the prompt estimated at a token per two bytes (after a first call, the provider’s count), plus this — from the run\'s token and cost budget; a call that could cross it is not made and the run escalates with "budget". Default 1024.',
    1024,
  )
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(100_000)
  maxOutputTokens?: number;
  /** A model decision less sure than this escalates instead of being acted on. */
  @Doc(
    'A model decision with a lower `confidence` is not acted on: the run escalates, naming both numbers. Applies to every model decision except an escalation. Absent: any confidence is acted on.',
    0.7,
  )
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  minConfidence?: number;
}

@JSONSchema({ description: 'How the next step is chosen: rules first, then the model.' })
export class DecisionSpec {
  /** Tried in order; the first rule whose conditions all hold decides. */
  @Doc('Tried in order; the first rule whose conditions all hold decides.')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RuleSpec)
  rules!: RuleSpec[];
  /** Asked when no rule decides. Without it (or without a model key) such runs escalate. */
  @Doc('Asked when no rule decides. Without it (or without a model key) such runs escalate.')
  @IsOptional()
  @ValidateNested()
  @Type(() => ModelSpec)
  model?: ModelSpec;
}

@JSONSchema({
  description:
    "A limit on a write tool's own effects across runs, per key over a window: how many calls (`maxCount`) and how much in total (`sum` up to `maxSum`). The action service checks it atomically against its effect ledger before the tool runs; a call that would break it is refused and the run escalates.",
})
export class EffectLimitSpec {
  @Doc(
    'Names the limit in refusals and in the effect ledger (renaming a limit starts it from zero).',
    'one-credit-per-invoice',
  )
  @Matches(NAME, NAME_MESSAGE)
  name!: string;
  @Doc(
    'A CEL expression over the proposal scope whose value (text or number) says what the limit is counted per: `args.invoiceId` (per invoice), `args.customerId` (per customer), a constant such as `"all"` (per tenant: the ledger is always per tenant). A call whose key cannot be evaluated is refused.',
    'args.invoiceId',
  )
  @IsExpression()
  key!: string;
  @JSONSchema({
    description:
      'How far back past effects count: a whole number of minutes (`m`), hours (`h`) or days (`d`).',
    examples: ['90d'],
    pattern: WINDOW_PATTERN.source,
  })
  @Matches(WINDOW_PATTERN, { message: 'window is a whole number of m, h or d, such as "90d"' })
  window!: string;
  @Doc('At most this many calls per key within the window (this call included).', 1)
  @IsOptional()
  @IsInt()
  @Min(1)
  maxCount?: number;
  @Doc(
    'A CEL expression over the proposal scope: the amount this call adds to the key’s total (a number). Needs `maxSum`.',
    'args.amount',
  )
  @IsOptional()
  @IsExpression()
  sum?: string;
  @JSONSchema(() => ({
    description:
      'The most the key’s total may reach within the window, this call included: a number, or a CEL expression over the proposal scope (`evidence.invoices.filter(i, i.id == args.invoiceId)[0].amount`). A call whose total cannot be computed is refused. Needs `sum`.',
    oneOf: [{ type: 'number' }, { type: 'string', minLength: 1, maxLength: MAX_EXPRESSION_LENGTH }],
    examples: [500, 'evidence.invoices.filter(i, i.id == args.invoiceId)[0].amount'],
  }))
  @IsOptional()
  @ValidateBy({
    name: 'isNumberOrExpression',
    validator: {
      validate: (value: unknown) =>
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' &&
          value.trim().length > 0 &&
          value.length <= MAX_EXPRESSION_LENGTH),
      defaultMessage: () => 'maxSum is a number or a CEL expression (text)',
    },
  })
  maxSum?: number | string;
}

@JSONSchema({
  description:
    'A check on what a write tool returned, run by the validation step after the tool ran: the write happened, so a result that fails it goes to a person (the run escalates with `result-check-failed: <message>`).',
})
export class ResultCheckSpec {
  @Doc(
    'A CEL condition over the result scope — the proposal scope (`args`, `decision`, `trigger`, `evidence`, …) plus `result`, what the tool returned (for a sql write, the row its statement returned). The check passes when it is true; false, or an expression that cannot be evaluated, fails it.',
    'result.amount == args.amount',
  )
  @IsExpression()
  expr!: string;
  @Doc(
    'Why the result is wrong, for the reviewer: the escalation reason is `result-check-failed: <message>`.',
    'The credit row does not carry the proposed amount.',
  )
  @IsString()
  @Length(1, 500)
  message!: string;
}

/** How a tool runs; each kind has its runner in the action service. */
export const TOOL_KINDS = ['sql', 'knowledge', 'http', 'mcp'] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];

@JSONSchema({
  description:
    'A tool the workflow may use, how it runs, and its limits. Nothing else is callable.',
})
export class ToolGrantSpec {
  @Doc('The tool name decisions use.', 'issue-credit')
  @Matches(NAME, NAME_MESSAGE)
  name!: string;
  @Doc('read: changes nothing (in shadow mode it still runs); write: changes business data.')
  @IsIn(['read', 'write'])
  access!: 'read' | 'write';
  @Doc('What the tool does, for the model and for reviewers.')
  @IsString()
  @Length(1, 500)
  description!: string;
  /** Arguments that must be present. */
  @Doc('Arguments a call must have; a call without them is refused.', ['customerId', 'invoiceId'])
  @IsArray()
  @IsString({ each: true })
  requiredArgs!: string[];
  /** Hard ceiling on the `amount` argument; above it the action is refused. */
  @Doc('Hard ceiling on the `amount` argument; above it the call is refused.', 500)
  @IsOptional()
  @IsNumber()
  @Min(0)
  maxAmount?: number;
  /** How the tool runs: a SQL statement, a knowledge search, an HTTP request or an MCP tool. */
  @Doc(
    'How the tool runs: sql, a parameterised statement against the business database; knowledge, a search of a collection; http, a request to an HTTP API on a host the deployment allows (`BATON_OUTBOUND_ALLOWED_HOSTS`); mcp, a tool of an MCP server the deployment declares (`BATON_MCP_SERVERS`).',
  )
  @IsIn(TOOL_KINDS)
  kind!: ToolKind;
  /** sql: the statement, with $1, $2, … bound from `params`. Writes must use `key` (the idempotency key). */
  @Doc(
    'sql: the statement, $1, $2, … bound from `params`. A read tool is a SELECT or WITH query; a write tool binds `key` (its idempotency key) so it never runs twice.',
  )
  @IsOptional()
  @IsString()
  statement?: string;
  /** sql: paths bound to $1, $2, … from the scope `{ args, key, run, trigger }`; knowledge: [the search-text path]. */
  @Doc(
    'sql: paths bound to $1, $2, … from `{ args, key, run, trigger }`; knowledge: [the path of the search text].',
    ['key', 'args.customerId'],
  )
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  params?: string[];
  /** knowledge: the collection searched. */
  @Doc('knowledge: the collection searched.', 'billing-policy')
  @IsOptional()
  @IsString()
  collection?: string;
  @Doc(
    'http: the method. A read tool is a GET; a write tool POST, PUT, PATCH or DELETE, and carries its idempotency key in an `Idempotency-Key` header.',
    'POST',
  )
  @IsOptional()
  @IsIn(HTTP_METHODS)
  method?: HttpMethod;
  @Doc(
    'http: the URL. `{{ path }}` templates over `{ args, key, run, trigger }` are allowed in the path and the query (each value URL-encoded), not in the scheme or the host: the host is fixed, so it is checked against `BATON_OUTBOUND_ALLOWED_HOSTS` at publish time. It may start with `{{ endpoint.<name> }}` instead of a scheme and host: the base URL the deployment gives that system (BATON_ENDPOINTS), checked the same way.',
    'https://helpdesk.acme.example/api/tickets/{{ args.ticketId }}/answers',
  )
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  url?: string;
  @IsHeaders(
    'http: request headers. Values may hold `{{ path }}` templates over `{ args, key, run, trigger }` and `{{ secret.<name> }}`, a secret of the deployment (docs/secrets-and-outbound.md): secrets go in headers only, never in the URL or the body.',
    { authorization: 'Bearer {{ secret.helpdesk-token }}' },
  )
  @IsOptional()
  headers?: Record<string, string>;
  @Doc(
    'http: the JSON body, a template: a string that is one `{{ path }}` alone keeps the value’s type (`"{{ args.amount }}"` stays a number), templates inside longer text are replaced by their text.',
    { employeeId: '{{ args.employeeId }}', body: '{{ args.body }}' },
  )
  @IsOptional()
  @IsObject()
  body?: Record<string, unknown>;
  @JSONSchema(() => ({
    description:
      'http: what of the answer becomes the tool’s result (`result` in result checks, `done.<tool>` later): result field → a dotted path into `{ status, body }`. Absent: `{ status, body }`.',
    type: 'object',
    additionalProperties: { type: 'string', pattern: '^(status|body)(\\.[\\w-]+)*$' },
    examples: [{ ticketId: 'body.id', status: 'body.status' }],
  }))
  @IsOptional()
  @IsObject()
  response?: Record<string, string>;
  @Doc('mcp: the MCP server, by the name the deployment declares it under.', 'crm')
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  server?: string;
  @Doc('mcp: the tool of that server, as the server names it.', 'create_entities')
  @IsOptional()
  @Matches(MCP_TOOL_NAME, { message: 'tool is a tool name as the MCP server lists it' })
  tool?: string;
  @Doc(
    'mcp: the arguments of the call, a template over `{ args, key, run, trigger }` (a string that is one `{{ path }}` alone keeps the value’s type), so that the model and the guards work with flat arguments while the tool gets the shape it asks for. Absent: the proposal’s `args` are the tool’s arguments, and the model is shown the tool’s input schema. Either way the arguments are checked against the input schema before the call.',
    {
      entities: [
        { name: '{{ args.email }}', entityType: 'lead', observations: ['{{ args.notes }}'] },
      ],
    },
  )
  @IsOptional()
  @IsObject()
  arguments?: Record<string, unknown>;
  @Doc(
    'http: how long one request may take until its whole answer is read, milliseconds. Default: `ACTION_TOOL_TIMEOUT_MS`. A request that times out is tried again (the same idempotency key), like a lost connection. mcp: how long the call may take; default: the server’s `timeoutMs`.',
    5000,
  )
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(300_000)
  timeoutMs?: number;
  @JSONSchema(() => ({
    description:
      'http: the answers worth another attempt: statuses (`409`) or classes (`5xx`). Any other status that is not 2xx fails the call for good (the run decides what next). A lost connection or a timeout is always tried again. Default: `[408, 429, 5xx]`.',
    type: 'array',
    items: {
      oneOf: [
        { type: 'integer', minimum: 100, maximum: 599 },
        { type: 'string', pattern: STATUS_PATTERN.source },
      ],
    },
    examples: [[408, 409, 429, '5xx']],
  }))
  @IsOptional()
  @IsArray()
  @ValidateBy({
    name: 'isStatuses',
    validator: {
      validate: (value: unknown) =>
        Array.isArray(value) &&
        value.every(
          (item) =>
            (Number.isInteger(item) && (item as number) >= 100 && (item as number) <= 599) ||
            (typeof item === 'string' && STATUS_PATTERN.test(item)),
        ),
      defaultMessage: () => 'retryOn lists HTTP statuses (100 to 599) or classes such as "5xx"',
    },
  })
  retryOn?: Array<number | string>;
  /** Tools that must have succeeded in this run before this one may run. */
  @Doc(
    'Tools of this workflow that must have succeeded (or, in shadow mode, been simulated) earlier in the run before this one may run: `[create-lead]` before `assign-lead`. A proposal that skips one is refused, naming it.',
    ['create-lead'],
  )
  @IsOptional()
  @IsArray()
  @Matches(NAME, {
    each: true,
    message: 'requires holds tool names: lowercase letters, digits and dashes',
  })
  requires?: string[];
  /** Arguments bound to a value of the run: argument name → CEL expression. */
  @JSONSchema({
    description:
      'Arguments bound to a value of the run, whoever proposes the call: argument name → a CEL expression over the rule scope (`trigger`, `evidence`, `done`, …, no `args`). A proposal may leave a pinned argument out (Baton fills it in); one that sets it to anything else — a rule, the model or a reviewer’s edit — is refused, naming the argument. A run where the expression has no value refuses the call.',
    type: 'object',
    additionalProperties: { type: 'string', minLength: 1, maxLength: MAX_EXPRESSION_LENGTH },
    examples: [{ customerId: 'trigger.data.customerId' }],
  })
  @IsOptional()
  @IsObject()
  pinned?: Record<string, string>;
  /** Limits on this write tool's effects across runs. */
  @Doc(
    'Limits on this write tool’s effects across runs (per invoice, per customer, per tenant, over a window), enforced atomically by the action service. Write tools only.',
  )
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EffectLimitSpec)
  limits?: EffectLimitSpec[];
  /** Checks on what the tool returned, after it ran (write tools only). */
  @Doc(
    'Checks on what the write tool returned, run by the validation step after a succeeded call, in order; every one that fails is named. A failed one escalates the run (`result-check-failed: <message>`): the write happened, so a person looks. Not run on a simulated (shadow-mode) result: the run records them as skipped. Write tools only.',
  )
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ResultCheckSpec)
  resultChecks?: ResultCheckSpec[];
}

@JSONSchema({ description: 'When a proposed action needs a reviewer’s approval first.' })
export class ApprovalSpec {
  @Doc(
    'The granted tool this applies to; absent: every write tool (a risk of the case, not of one action: "a P1 security ticket always needs a person").',
    'issue-credit',
  )
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  tool?: string;
  @IsConditions(
    'Approval is needed when all these conditions hold, over the proposal scope (`args`, `decision`, and the rule scope). A condition that cannot be evaluated counts as holding: when in doubt, a person approves.',
  )
  when!: Condition[];
  @Doc('Shown to the reviewer.', 'Credits above $50 need a reviewer’s approval.')
  @IsString()
  @Length(1, 500)
  reason!: string;
}

@JSONSchema({ description: 'A check every proposed action must pass.' })
export class CheckSpec {
  @Doc('Names the check in the run history.', 'positive-credit')
  @Matches(NAME, NAME_MESSAGE)
  name!: string;
  @Doc('Only proposals of this tool are checked; every proposal when absent.')
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  tool?: string;
  /** The check fails when all these conditions hold. */
  @IsConditions(
    'The check fails when all these conditions hold, over the proposal scope (`args`, `decision`, and the rule scope). A condition that cannot be evaluated counts as holding: the check fails closed, naming why.',
  )
  failWhen!: Condition[];
  @Doc('Sent back to the decision when the check fails.')
  @IsString()
  @Length(1, 500)
  message!: string;
}

@JSONSchema({ description: 'What a proposed action must pass before it runs.' })
export class ValidationSpec {
  @Doc('Which actions need a reviewer’s approval.')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApprovalSpec)
  approvals!: ApprovalSpec[];
  @Doc('Checks every matching proposal must pass.')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CheckSpec)
  checks!: CheckSpec[];
  /** Failed checks sent back to the decision before the run escalates instead. */
  @Doc('Failed checks sent back to the decision before the run escalates instead, 0 to 10.', 2)
  @IsInt()
  @Min(0)
  @Max(10)
  maxFailures!: number;
}

@JSONSchema({
  description:
    'Who is told when a breach step applies: Baton POSTs a small JSON (task and run ids, workflow, queue, reason, due time; never the customer’s text or the evidence) to a webhook.',
})
export class NotifySpec {
  @JSONSchema({
    description:
      'An https (or http) URL, fixed (no templates). Sent only to hosts the deployment allows (`BATON_NOTIFY_ALLOWED_HOSTS`); the outcome is recorded on the task, and a failed notification never holds the move up.',
    examples: ['https://hooks.acme.example/escalations'],
  })
  @IsString()
  @Length(1, 2000)
  webhook!: string;
}

@JSONSchema({
  description:
    'One step of the escalation chain: applied once when the SLA before it passes (the first step after `slaMinutes`, each next one after the previous step’s `slaMinutes`).',
})
export class BreachStepSpec {
  @Doc(
    'The review queue the task moves to; absent, it stays in its queue (a step that only notifies).',
    'billing-leads',
  )
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  moveTo?: string;
  @Doc(
    'Minutes a reviewer has after this step, before the next step (or the fallback) applies.',
    60,
  )
  @IsInt()
  @Min(1)
  slaMinutes!: number;
  @IsOptional()
  @ValidateNested()
  @Type(() => NotifySpec)
  notify?: NotifySpec;
}

export const ESCALATION_FALLBACKS = ['reject', 'cancel', 'leave'] as const;
export type EscalationFallback = (typeof ESCALATION_FALLBACKS)[number];

@JSONSchema({
  description:
    'What happens once the last SLA of the chain (or `slaMinutes`, without `onBreach`) has passed with the task still open.',
})
export class FallbackSpec {
  @Doc(
    'reject: the task is rejected by the system (not a person) with `reason`, and the run ends `rejected`, as after a reviewer’s rejection. cancel: the run ends `cancelled` with `reason`. leave: the task moves to `queue` and stays open there with no further SLA.',
  )
  @IsIn(ESCALATION_FALLBACKS)
  action!: EscalationFallback;
  @Doc(
    'reject and cancel: why the run ended, as a reviewer’s rejection reason would say it. Default: "No reviewer decided within the SLA chain."',
    'No reviewer decided within the SLA chain.',
  )
  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
  @Doc('leave (required there): the queue the task is left in.', 'ops-backlog')
  @IsOptional()
  @Matches(NAME, NAME_MESSAGE)
  queue?: string;
}

@JSONSchema({ description: 'Where runs go when a person must decide.' })
export class EscalationSpec {
  @Doc('The review queue.', 'billing')
  @Matches(NAME, NAME_MESSAGE)
  queue!: string;
  @Doc('Minutes a reviewer has to answer.', 240)
  @IsInt()
  @Min(1)
  slaMinutes!: number;
  /** Paths of the rule scope the reviewer sees first. */
  @Doc(
    "Paths of the rule scope (and `args`, the proposal) shown to the reviewer first, in this order: the task's `highlights`, taken when the task is created; a path the run lacks is `null` with `missing: true`.",
    ['trigger.data.message', 'evidence.customer', 'args.amount'],
  )
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  show?: string[];
  /** The escalation chain: applied in order, one step per SLA breach. */
  @Doc(
    'The escalation chain: what each SLA breach does, in order. When `slaMinutes` passes, the first step applies (move the task, give it a new SLA, notify); when that step’s SLA passes, the next; after the last, the `fallback`. Without it (and without `fallback`) a task past its SLA is only marked overdue.',
  )
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => BreachStepSpec)
  onBreach?: BreachStepSpec[];
  @IsOptional()
  @ValidateNested()
  @Type(() => FallbackSpec)
  fallback?: FallbackSpec;
}

@JSONSchema({ description: 'When a run stops, whatever the decisions say.' })
export class LimitsSpec {
  @Doc('Steps a run may take, 1 to 200.', 20)
  @IsInt()
  @Min(1)
  @Max(200)
  maxSteps!: number;
  @Doc('Model tokens a run may use.', 20000)
  @IsInt()
  @Min(0)
  maxTokens!: number;
  @Doc('Model cost a run may incur, in USD.', 0.5)
  @IsNumber()
  @Min(0)
  maxCostUsd!: number;
  @Doc('Minutes from the trigger until the run must have ended (review time excluded).', 60)
  @IsInt()
  @Min(1)
  deadlineMinutes!: number;
}

/** What a publish gate can require before a candidate version goes live. */
export const GATE_REQUIREMENTS = ['backtest', 'cases'] as const;
export type GateRequirement = (typeof GATE_REQUIREMENTS)[number];

@JSONSchema({
  description:
    'The thresholds a backtest of the candidate, against the live version, must meet (docs/changing-workflows.md#the-publish-gate).',
})
export class BacktestGateSpec {
  @Doc(
    'The least agreement with reviewers’ corrections (the report’s `totals.corrections.agreementRate`), from 0 to 1. A backtest with no corrected run has no agreement rate and does not meet it.',
    0.9,
  )
  @IsNumber()
  @Min(0)
  @Max(1)
  minAgreement!: number;
  @Doc(
    'The most new refused writes (the report’s `totals.newRefusedWrites`: writes the candidate would have had refused that the live version did not).',
    0,
  )
  @IsInt()
  @Min(0)
  maxNewRefusedWrites!: number;
  @JSONSchema({
    description:
      'The backtest must have replayed runs from at least this far back: a whole number of minutes (`m`), hours (`h`) or days (`d`). Optional.',
    examples: ['7d'],
    pattern: WINDOW_PATTERN.source,
  })
  @IsOptional()
  @Matches(WINDOW_PATTERN, { message: 'since is a whole number of m, h or d, such as "7d"' })
  since?: string;
  @Doc('The backtest must have replayed at least this many runs. Optional (default 1).', 50)
  @IsOptional()
  @IsInt()
  @Min(1)
  minRuns?: number;
}

@JSONSchema({
  description:
    'The publish gate: what a new version must pass before it goes live. A workflow that declares one is published as a candidate, then promoted; the promotion checks the gate (docs/changing-workflows.md#the-publish-gate).',
})
export class PublishSpec {
  @Doc(
    'What the candidate must pass: `backtest` (its most recent finished backtest against the live version meets `backtest`), `cases` (its case suite, run with `baton cases`, all passed).',
    ['backtest', 'cases'],
  )
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(GATE_REQUIREMENTS, { each: true })
  requires!: GateRequirement[];
  @IsOptional()
  @ValidateNested()
  @Type(() => BacktestGateSpec)
  backtest?: BacktestGateSpec;
}

/** One narrow workflow: trigger, context, decision, granted tools, checks, escalation, limits. */
@JSONSchema({
  description:
    'A Baton workflow definition (`workflows/<id>/workflow.yaml`): trigger, context, decision, granted tools, validation, escalation and limits. Reference: docs/workflows.md.',
})
export class WorkflowDefinition {
  @Doc('The definition format; this release reads 1.')
  @Equals(1)
  formatVersion!: 1;
  @Doc(
    'The workflow id: lowercase letters, digits and dashes; also the folder name.',
    'billing-dispute',
  )
  @Matches(WORKFLOW_ID_PATTERN, { message: 'id must be lowercase letters, digits and dashes' })
  id!: string;
  @Doc('The published version; a trigger event may pin one, else the highest runs.', 1)
  @IsInt()
  @Min(1)
  version!: number;
  /** Who answers for prompts, rules, tool access and escalation policy. */
  @Doc(
    'Who answers for the prompts, rules, tool access and escalation policy.',
    'support-operations@acme.example',
  )
  @IsString()
  @Length(3, 200)
  owner!: string;
  @Doc('What the workflow does, in a few sentences.')
  @IsString()
  @Length(1, 2000)
  description!: string;
  @Doc(
    'live: write tools change business data. shadow: write tools are simulated (recorded, not run), to compare with what people do.',
  )
  @IsIn(['live', 'shadow'])
  mode!: 'live' | 'shadow';
  @IsDefined()
  @ValidateNested()
  @Type(() => TriggerSpec)
  trigger!: TriggerSpec;
  @IsDefined()
  @ValidateNested()
  @Type(() => ContextSpec)
  context!: ContextSpec;
  @IsDefined()
  @ValidateNested()
  @Type(() => DecisionSpec)
  decision!: DecisionSpec;
  @Doc('The tools granted to this workflow; decisions can use no others.')
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolGrantSpec)
  tools!: ToolGrantSpec[];
  @IsDefined()
  @ValidateNested()
  @Type(() => ValidationSpec)
  validation!: ValidationSpec;
  @IsDefined()
  @ValidateNested()
  @Type(() => EscalationSpec)
  escalation!: EscalationSpec;
  @IsDefined()
  @ValidateNested()
  @Type(() => LimitsSpec)
  limits!: LimitsSpec;
  @Doc(
    'Minutes the work of one run takes a person by hand: each completed run counts as that much time saved in the outcome stats (docs/outcomes.md). Optional; without it no time saved is reported.',
    12,
  )
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(100000)
  manualMinutes?: number;
  @IsOptional()
  @ValidateNested()
  @Type(() => PublishSpec)
  publish?: PublishSpec;
  @Doc('Example cases kept with the definition (free-form; not read by the services).')
  @IsOptional()
  @IsDefined()
  cases?: unknown;
}
