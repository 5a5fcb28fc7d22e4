import { Setting } from '@baton/config';

/**
 * Where HTTP tools and http context sources may go, how much they may read, and where the
 * secrets they name come from (docs/secrets-and-outbound.md). Read by trigger (checked at
 * publish time), context and action (checked again at every call).
 */
export class OutboundConfig {
  @Setting({
    env: 'BATON_OUTBOUND_ALLOWED_HOSTS',
    type: 'list',
    default: [],
    description:
      'Hosts that HTTP tools (`tools[].kind: http`) and http context sources may call, comma-separated: a host name or IP address (`helpdesk.acme.example`, `127.0.0.1`), or `*.acme.example` for every host under a domain; ports are not part of the match. A definition whose URL names another host is refused at publish time, and a request to one (a redirect included) is never sent. Empty: no outbound HTTP at all.',
  })
  allowedHosts!: string[];

  @Setting({
    env: 'BATON_OUTBOUND_MAX_RESPONSE_BYTES',
    type: 'int',
    default: 1_048_576,
    min: 1_024,
    max: 104_857_600,
    description:
      'The most an HTTP tool or http source reads of one answer, bytes; a larger answer is cut off and the call fails with "the answer is larger than …" (not retried).',
  })
  maxResponseBytes!: number;

  @Setting({
    env: 'BATON_OUTBOUND_MAX_REDIRECTS',
    type: 'int',
    default: 3,
    min: 0,
    max: 10,
    description:
      'Redirects an HTTP tool or http source follows on one call, each only to the same host (and port) it was sent to; a redirect to any other host is never followed, and the call fails.',
  })
  maxRedirects!: number;

  @Setting({
    env: 'BATON_ENDPOINTS',
    type: 'list',
    default: [],
    description:
      'The base URLs of the systems HTTP tools and http sources reach, by name, comma-separated: `helpdesk=https://helpdesk.acme.example,crm=https://crm.acme.example/api`. A URL template that starts with `{{ endpoint.helpdesk }}` takes the base from here, so a workflow names the system, not where this deployment runs it. A definition naming an endpoint that is not here is refused at publish time; the host of each must still be in BATON_OUTBOUND_ALLOWED_HOSTS.',
  })
  endpoints!: string[];

  @Setting({
    env: 'BATON_SECRETS_DIR',
    type: 'string',
    default: '',
    description:
      'A folder of secrets, one file per secret named as the workflow names it (`helpdesk-token`), such as a mounted Kubernetes secret; a trailing newline is not part of the value. `BATON_SECRET_<NAME>` (`BATON_SECRET_HELPDESK_TOKEN`) in the environment takes precedence. Empty: secrets come from the environment only.',
  })
  secretsDir!: string;
}
