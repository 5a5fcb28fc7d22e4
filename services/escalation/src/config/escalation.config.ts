import { Setting } from '@baton/config';

/**
 * Settings of the escalation service beside what every service reads. The kit loads them with
 * its own (`settings` of the service definition) and provides the instance under this class.
 */
export class EscalationConfig {
  @Setting({
    env: 'BATON_SLA_SWEEP_INTERVAL_MS',
    type: 'int',
    default: 60_000,
    min: 1_000,
    description:
      'How often the escalation service looks for open review tasks past their SLA (`escalation.slaMinutes`, then each `escalation.onBreach` step’s) and applies the next step of the workflow’s escalation chain, or its fallback, milliseconds.',
  })
  slaSweepIntervalMs!: number;

  @Setting({
    env: 'BATON_NOTIFY_ALLOWED_HOSTS',
    type: 'list',
    default: [],
    description:
      'Hosts that escalation webhooks (`escalation.onBreach[].notify.webhook`) may be sent to, comma-separated: a host name or IP address (`hooks.acme.example`, `127.0.0.1`), or `*.acme.example` for every host under a domain; ports are not part of the match. http and https only. A webhook to any other host is not sent and is recorded `refused` on the task. Empty: no webhook is sent.',
  })
  notifyAllowedHosts!: string[];

  @Setting({
    env: 'BATON_NOTIFY_TIMEOUT_MS',
    type: 'int',
    default: 5_000,
    min: 100,
    max: 60_000,
    description:
      'How long one attempt to deliver an escalation webhook may take until its answer, milliseconds.',
  })
  notifyTimeoutMs!: number;

  @Setting({
    env: 'BATON_NOTIFY_ATTEMPTS',
    type: 'int',
    default: 3,
    min: 1,
    max: 10,
    description:
      'Attempts to deliver an escalation webhook (a network error, a timeout, HTTP 408, 429 or 5xx is tried again, after 0.5 s, 1 s, 2 s, …); after the last the notification is recorded `failed` on the task.',
  })
  notifyAttempts!: number;

  @Setting({
    env: 'BATON_CLAIM_MINUTES',
    type: 'int',
    default: 30,
    min: 1,
    max: 1_440,
    description:
      'How long a claim on a review task (`POST /v1/tasks/:id/claim`) lasts, minutes; claiming it again renews it. Until then only the claimant (or an admin) may decide the task.',
  })
  claimMinutes!: number;
}
