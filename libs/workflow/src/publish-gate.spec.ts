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

/** The billing-dispute definition with a `publish` block, loaded as JSON. */
const withPublish = (publish: unknown): Loaded =>
  parseWorkflow(JSON.stringify({ ...billing, publish }), { format: 'json' });
const errorsOf = (loaded: Loaded) => (loaded.ok ? [] : loaded.errors);

describe('the publish gate in workflow definitions', () => {
  it('reads a gate on a backtest and the cases', () => {
    const loaded = withPublish({
      requires: ['backtest', 'cases'],
      backtest: { minAgreement: 0.9, maxNewRefusedWrites: 0, since: '7d', minRuns: 20 },
    });
    expect(errorsOf(loaded)).toEqual([]);
    expect(loaded.ok && loaded.workflow.publish).toEqual({
      requires: ['backtest', 'cases'],
      backtest: { minAgreement: 0.9, maxNewRefusedWrites: 0, since: '7d', minRuns: 20 },
    });
  });

  it('keeps a definition without a gate valid', () => {
    const loaded = parseWorkflow(JSON.stringify(billing), { format: 'json' });
    expect(loaded.ok && loaded.workflow.publish).toBeUndefined();
  });

  it('names every problem by path', () => {
    const errors = errorsOf(
      withPublish({
        requires: ['backtest', 'vibes', 'backtest'],
        backtest: { minAgreement: 1.5, maxNewRefusedWrites: -1, since: 'a week', extra: 1 },
      }),
    );
    expect(errors.join('\n')).toMatch(/publish\.requires/);
    expect(errors.join('\n')).toMatch(/publish\.backtest\.minAgreement/);
    expect(errors.join('\n')).toMatch(/publish\.backtest\.maxNewRefusedWrites/);
    expect(errors.join('\n')).toMatch(/publish\.backtest\.since.*7d/);
    expect(errors.join('\n')).toMatch(/publish\.backtest\.extra/);
  });

  it('asks for thresholds exactly when the gate requires a backtest', () => {
    expect(errorsOf(withPublish({ requires: ['backtest'] }))).toEqual([
      'publish.backtest: a gate that requires backtest names its thresholds here',
    ]);
    expect(
      errorsOf(
        withPublish({ requires: ['cases'], backtest: { minAgreement: 1, maxNewRefusedWrites: 0 } }),
      ),
    ).toEqual(['publish.backtest: thresholds for a backtest the gate does not require (requires)']);
    expect(errorsOf(withPublish({ requires: [] }))[0]).toMatch(/^publish\.requires/);
  });
});
