// The help desk the example help-desk workflow posts its answers to (`send-answer`, an HTTP
// tool on `{{ endpoint.helpdesk }}`), for `npm start` and `npm run start:distributed`: the small
// loopback help-desk API the tests use (libs/testing), which honours Idempotency-Key. Started
// only when the deployment names no help desk of its own (BATON_ENDPOINTS without helpdesk=).
import { randomBytes } from 'node:crypto';
import { HelpdeskTestServer } from '@baton/testing';

export interface DemoHelpdesk {
  /** The settings that point Baton at it: the endpoint, the token (a secret), the allow-list. */
  env: Record<string, string>;
  /** Where it listens, for the banner; undefined when the deployment names its own. */
  url?: string;
  close(): Promise<void>;
}

export async function startDemoHelpdesk(env: NodeJS.ProcessEnv): Promise<DemoHelpdesk> {
  const endpoints = env['BATON_ENDPOINTS'] ?? '';
  if (/(^|,)\s*helpdesk\s*=/.test(endpoints)) return { env: {}, close: async () => undefined };
  const token = randomBytes(16).toString('hex');
  const server = await HelpdeskTestServer.start(token);
  const allowed = env['BATON_OUTBOUND_ALLOWED_HOSTS']?.trim();
  return {
    env: {
      BATON_ENDPOINTS: [endpoints.trim(), `helpdesk=${server.url}`].filter(Boolean).join(','),
      BATON_SECRET_HELPDESK_TOKEN: token,
      BATON_OUTBOUND_ALLOWED_HOSTS: allowed ? `${allowed},127.0.0.1` : '127.0.0.1',
    },
    url: server.url,
    close: () => server.close(),
  };
}
