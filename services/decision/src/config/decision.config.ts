import { Setting } from '@baton/config';

/** Settings of the decision service: how it reaches the model. */
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
}
