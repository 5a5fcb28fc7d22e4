import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseWorkflow, type Loaded } from './load-workflow.js';

const billing = parse(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

/** The billing-dispute definition with another `escalation` block, loaded as JSON. */
const withEscalation = (escalation: Record<string, unknown>): Loaded =>
  parseWorkflow(JSON.stringify({ ...billing, escalation }), { format: 'json' });
const errorsOf = (loaded: Loaded) => (loaded.ok ? [] : loaded.errors);

describe('escalation chains in workflow definitions', () => {
  it('keeps a definition without a chain valid: onBreach and fallback are optional', () => {
    const loaded = withEscalation({ queue: 'billing', slaMinutes: 240 });
    expect(errorsOf(loaded)).toEqual([]);
    expect(loaded.ok && loaded.workflow.escalation.onBreach).toBeUndefined();
  });

  it('reads the shipped billing-dispute chain: two moves, then a rejection', () => {
    const loaded = parseWorkflow(JSON.stringify(billing), { format: 'json' });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.workflow.escalation).toMatchObject({
      queue: 'billing',
      slaMinutes: 240,
      onBreach: [
        {
          moveTo: 'billing-leads',
          slaMinutes: 60,
          notify: { webhook: 'https://hooks.acme.example/escalations' },
        },
        { moveTo: 'finance-managers', slaMinutes: 120 },
      ],
      fallback: { action: 'reject', reason: 'No reviewer decided within the SLA chain.' },
    });
  });

  it('accepts a step that only notifies, and each fallback in its own shape', () => {
    const onBreach = [{ slaMinutes: 30, notify: { webhook: 'http://127.0.0.1:8080/hook' } }];
    for (const fallback of [
      { action: 'reject' },
      { action: 'cancel', reason: 'Nobody took it.' },
      { action: 'leave', queue: 'ops-backlog' },
    ]) {
      expect(
        errorsOf(withEscalation({ queue: 'billing', slaMinutes: 5, onBreach, fallback })),
      ).toEqual([]);
    }
  });

  it('names every problem of a chain by path', () => {
    const errors = errorsOf(
      withEscalation({
        queue: 'billing',
        slaMinutes: 240,
        onBreach: [
          { slaMinutes: 60 },
          { moveTo: 'billing', slaMinutes: 0, notify: { webhook: 'ftp://hooks.acme.example/x' } },
          {
            moveTo: 'leads',
            slaMinutes: 60,
            notify: { webhook: 'https://{{ trigger.data.url }}' },
          },
          {
            moveTo: 'leads',
            slaMinutes: 60,
            notify: { webhook: 'https://u:p@hooks.acme.example' },
          },
          { moveTo: 'Managers', slaMinutes: 60, notify: { url: 'https://x.example' } },
          { moveTo: 'managers', slaMinutes: 60, notify: { webhook: 'hooks.acme.example/x' } },
        ],
        fallback: { action: 'leave', reason: 'why' },
      }),
    );
    expect(errors).toEqual([
      'escalation.onBreach.1.slaMinutes: slaMinutes must not be less than 1',
      'escalation.onBreach.4.moveTo: moveTo must be lowercase letters, digits and dashes',
      'escalation.onBreach.4.notify.url: unknown field (expected one of: webhook)',
      'escalation.onBreach.4.notify.webhook: is required',
      'escalation.onBreach.0: a step moves the task (moveTo), notifies (notify), or both',
      'escalation.onBreach.1.moveTo: the task is already in queue "billing" at this step',
      'escalation.onBreach.1.notify.webhook: a webhook is an https (or http) URL, not ftp',
      'escalation.onBreach.2.notify.webhook: a webhook is a fixed URL: templates are not filled in',
      'escalation.onBreach.3.moveTo: the task is already in queue "leads" at this step',
      'escalation.onBreach.3.notify.webhook: a webhook URL carries no user name or password',
      'escalation.onBreach.5.notify.webhook: a webhook is an absolute https (or http) URL',
      'escalation.fallback.queue: a "leave" fallback names the queue the task is left in',
      'escalation.fallback.reason: a "leave" fallback ends nothing: reason is for reject and cancel',
    ]);
  });

  it('refuses an unknown fallback, a queue on a fallback that ends the run, and a chain over 10 steps', () => {
    const step = (i: number) => ({ moveTo: `queue-${i}`, slaMinutes: 10 });
    expect(
      errorsOf(
        withEscalation({
          queue: 'billing',
          slaMinutes: 240,
          onBreach: Array.from({ length: 11 }, (_, i) => step(i)),
          fallback: { action: 'escalate' },
        }),
      ),
    ).toEqual([
      'escalation.onBreach: onBreach must contain no more than 10 elements',
      expect.stringMatching(
        /^escalation\.fallback\.action: action must be one of the following values: reject, cancel, leave/,
      ),
    ]);
    expect(
      errorsOf(
        withEscalation({
          queue: 'billing',
          slaMinutes: 240,
          fallback: { action: 'cancel', queue: 'ops-backlog' },
        }),
      ),
    ).toEqual([
      'escalation.fallback.queue: only a "leave" fallback moves the task; "cancel" ends the run',
    ]);
  });
});
