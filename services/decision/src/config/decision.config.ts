import { Setting } from '@baton/config';

/** Settings of the decision service: how it reaches the model, and how much of it it may use. */
export class DecisionConfig {
  @Setting({
    env: 'OPENAI_API_KEY',
    type: 'string',
    secret: true,
    default: '',
    description:
      "API key of the OpenAI-compatible model endpoint. Empty: decisions use the workflow's rules only and runs no rule decides escalate.",
  })
  openaiApiKey!: string;

  @Setting({
    env: 'OPENAI_BASE_URL',
    type: 'url',
    default: '',
    description:
      'Base URL of an OpenAI-compatible API (`https://api.openai.com/v1` when empty), such as a gateway or a local server.',
  })
  openaiBaseUrl!: string;

  @Setting({
    env: 'OPENAI_TIMEOUT_MS',
    type: 'int',
    default: 30_000,
    min: 100,
    max: 600_000,
    description:
      'Longest one model call may take, milliseconds; a call that times out counts as a failed attempt.',
  })
  openaiTimeoutMs!: number;

  @Setting({
    env: 'BATON_MODEL_MAX_CONCURRENT',
    type: 'list',
    default: [],
    description:
      'Model calls in flight at once, per model and instance: comma-separated `model=limit` (`gpt-4.1-mini=8,gpt-4.1=2`), `*=limit` for every model not named, or a bare limit for all; empty or 0: no limit but `BATON_CONCURRENCY`. A decision that must ask a model at its limit waits for a call to end, holding no database connection but one of the `BATON_CONCURRENCY` in-flight slots; once every slot waits, the service takes no new records (fetching pauses at `BATON_MAX_BUFFERED`) rather than queueing them.',
  })
  modelMaxConcurrent!: string[];

  @Setting({
    env: 'BATON_MODEL_TOKENS_PER_MINUTE',
    type: 'list',
    default: [],
    description:
      "Tokens (prompt and reply) per rolling minute, per model and instance, same format as `BATON_MODEL_MAX_CONCURRENT` (`gpt-4.1-mini=200000`); empty or 0: no limit. A call counts at the most it could use (its prompt estimate plus the reply's cap) until it returns, then at what the provider says it used; one that would cross the limit waits, as at `BATON_MODEL_MAX_CONCURRENT`. Set it below the provider's limit divided by the decision service's instances.",
  })
  modelTokensPerMinute!: string[];

  @Setting({
    env: 'BATON_TRACE_MODEL_CONTENT',
    type: 'boolean',
    default: false,
    description:
      "Put the prompt and the model's reply on the model-call span (`gen_ai.input.messages`, `gen_ai.output.messages`). Off by default: they hold customer data, and spans go to the tracing backend.",
  })
  traceModelContent!: boolean;
}
