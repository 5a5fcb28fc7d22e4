import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPrometheusRules } from '@baton/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { METRIC_NAMES } from './metrics.js';

const deploy = (path: string) => fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));

/** Every series name the services export, as Prometheus sees them (OTel names, `.` → `_`). */
const HISTOGRAMS = ['stepDuration', 'reviewWait', 'genAiDuration', 'genAiTokens'];
const COUNTERS = [
  'runsStarted',
  'runsEnded',
  'messagesHandled',
  'messagesRetried',
  'messagesDeadLettered',
];
const exported = new Set(
  Object.entries(METRIC_NAMES).flatMap(([key, name]) => {
    const base = name.replace(/\./g, '_');
    if (HISTOGRAMS.includes(key)) return [`${base}_bucket`, `${base}_sum`, `${base}_count`];
    if (COUNTERS.includes(key)) return [`${base}_total`];
    return [base];
  }),
);

/** The Baton metric names a PromQL expression uses (label names in `by (…)` and `{…}` aside). */
function metricsIn(expr: string): string[] {
  const names = expr.replace(/\b(?:by|without)\s*\([^)]*\)/g, '').replace(/\{[^}]*\}/g, '');
  return names.match(/\b(?:baton|gen_ai)_[a-z_]+\b/g) ?? [];
}

describe('deploy/: the dashboard, the alert rules and the scrape config', () => {
  const dashboard = JSON.parse(readFileSync(deploy('grafana/baton-dashboard.json'), 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };
  const rules = parse(readFileSync(deploy('prometheus/alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  };

  it('the alert rules pass promtool', async () => {
    expect(await checkPrometheusRules(deploy('prometheus/alerts.yml'))).toMatch(/SUCCESS/);
  }, 600_000);

  it('alert on dead letters, lag, stuck runs and SLA breaches', () => {
    const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'BatonMessagesDeadLettered',
        'BatonConsumerLagHigh',
        'BatonStuckRuns',
        'BatonSlaBreaches',
      ]),
    );
  });

  it('use only metrics the services export', () => {
    const used = [
      ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))),
      ...rules.groups.flatMap((g) => g.rules.flatMap((r) => metricsIn(r.expr))),
    ];
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
    // And the dashboard shows each of them.
    const shown = new Set(used.map((name) => name.replace(/_(bucket|sum|count|total)$/, '')));
    expect(
      [...exported]
        .map((name) => name.replace(/_(bucket|sum|count|total)$/, ''))
        .filter((n) => !shown.has(n)),
    ).toEqual([]);
  });

  it('scrape every service at its default metrics port', () => {
    const config = parse(readFileSync(deploy('prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    };
    const ports = config.scrape_configs
      .flatMap((c) => c.static_configs.flatMap((s) => s.targets))
      .map((t) => Number(t.split(':')[1]));
    expect(ports.sort()).toEqual([9464, 9465, 9466, 9467, 9468, 9469]);
  });
});
