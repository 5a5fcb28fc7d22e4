import { Setting } from '@baton/config';

/** Settings of the console: where it listens and which APIs it forwards to. */
export class ConsoleConfig {
  @Setting({
    env: 'BATON_CONSOLE_PORT',
    type: 'int',
    default: 0,
    min: 0,
    max: 65_535,
    description:
      'HTTP port of the Baton console (the web app for reviewers, workflow owners and SREs); 0 means 3006, or BATON_PORT_BASE + 6 when a port base is set.',
  })
  port!: number;

  @Setting({
    env: 'BATON_TRIGGER_URL',
    type: 'url',
    default: 'http://127.0.0.1:3000',
    description:
      "The trigger service's HTTP API, as the console and the baton CLI reach it (embedded mode passes its own).",
  })
  triggerUrl!: string;

  @Setting({
    env: 'BATON_ESCALATION_URL',
    type: 'url',
    default: 'http://127.0.0.1:3005',
    description:
      "The escalation service's HTTP API, as the console and the baton CLI reach it (embedded mode passes its own).",
  })
  escalationUrl!: string;

  @Setting({
    env: 'BATON_CONSOLE_TRACE_URL',
    type: 'string',
    default: '',
    description:
      "Where a run's page links to its trace: a URL with `{traceId}` in it, such as `http://127.0.0.1:16686/trace/{traceId}` (Jaeger); empty shows no link.",
  })
  traceUrl!: string;

  @Setting({
    env: 'BATON_CONSOLE_ASSETS_DIR',
    type: 'string',
    default: '',
    description:
      "A directory holding the console's page already built (index.html and assets/, from `npm run build:console`), served as it is; the container image sets it. Empty: the console builds the page with Vite as it starts (Vite is a dev dependency).",
  })
  assetsDir!: string;
}
