import { Setting } from '@baton/config';

/** Settings of the escalation service beside what every service reads. */
export class EscalationConfig {
  @Setting({
    env: 'BATON_SLA_SWEEP_INTERVAL_MS',
    type: 'int',
    default: 60_000,
    min: 1_000,
    description:
      'How often the escalation service looks for open review tasks past their SLA (`escalation.slaMinutes`) and escalates them further, milliseconds.',
  })
  slaSweepIntervalMs!: number;
}

/** Injection token of the loaded EscalationConfig. */
export const ESCALATION_CONFIG = Symbol('escalation:config');
