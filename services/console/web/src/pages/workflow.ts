import { api } from '../api.js';
import { h, show } from '../dom.js';
import type { PageContext } from '../page.js';
import {
  WINDOWS,
  bucketsOf,
  duration,
  groupWorkflows,
  minutes,
  pathOf,
  percent,
  plot,
  provenance,
  usd,
  type OutcomeStats,
  type StatsComparison,
  type WindowName,
  type WorkflowGroup,
  type WorkflowSummary,
  type WorkflowVersionDetail,
} from '../workflows.js';
import { failure, loading } from './states.js';

const SVG = 'http://www.w3.org/2000/svg';
const CHART = { width: 560, height: 140 };

function svg(tag: string, attributes: Record<string, string | number>, ...children: Node[]) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

interface Series {
  name: string;
  key: string;
  values: Array<number | null>;
  format: (value: number | null) => string;
}

/**
 * A line chart of one or more series over the window's spans, with the same figures as a table
 * for screen readers and for reading exact values (the chart is `aria-hidden`).
 */
function chart(title: string, labels: string[], series: Series[], max?: number): HTMLElement {
  const { width, height } = CHART;
  const grid = [0, 0.5, 1].map((f) =>
    svg('line', { x1: 0, x2: width, y1: height * f, y2: height * f, class: 'grid' }),
  );
  const lines = series.flatMap((s, i) => {
    const points = plot(s.values, width, height, max);
    return [
      svg('path', { d: pathOf(points), class: `line s${i}`, fill: 'none' }),
      ...points.flatMap((p) =>
        p ? [svg('circle', { cx: p.x, cy: p.y, r: 3, class: `dot s${i}` })] : [],
      ),
    ];
  });
  const picture = svg(
    'svg',
    {
      viewBox: `-6 -6 ${width + 12} ${height + 12}`,
      width: '100%',
      preserveAspectRatio: 'none',
      'aria-hidden': 'true',
      class: 'chart',
    },
    ...grid,
    ...lines,
  );
  return h(
    'figure',
    { class: 'chart', 'data-chart': title },
    h('figcaption', {}, title),
    h(
      'ul',
      { class: 'legend' },
      series.map((s, i) => h('li', { class: `s${i}` }, s.name)),
    ),
    picture as unknown as HTMLElement,
    h(
      'p',
      { class: 'muted scale' },
      `${labels[0] ?? ''} → now · top of the chart: ${series[0]!.format(
        max ?? Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0))),
      )}`,
    ),
    h(
      'details',
      {},
      h('summary', {}, 'As a table'),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'From'),
            series.map((s) => h('th', {}, s.name)),
          ),
        ),
        h(
          'tbody',
          {},
          labels.map((label, i) =>
            h(
              'tr',
              {},
              h('td', {}, label),
              series.map((s) => h('td', { 'data-series': s.key }, s.format(s.values[i] ?? null))),
            ),
          ),
        ),
      ),
    ),
  );
}

/** The headline figures, each marked with the API field it shows (`data-stat`). */
function figures(stats: OutcomeStats): HTMLElement {
  // The API's own number rides along in data-value: what the page shows is that, formatted.
  const raw = (stat: string): unknown =>
    stat.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], stats);
  const figure = (label: string, stat: string, value: string, hint?: string) =>
    h(
      'div',
      { class: 'figure', title: hint },
      h('dt', {}, label),
      h('dd', { 'data-stat': stat, 'data-value': JSON.stringify(raw(stat)) }, value),
    );
  return h(
    'dl',
    { class: 'figures' },
    figure('Runs', 'runs', String(stats.runs)),
    figure(
      'Completed on its own',
      'completionRate',
      percent(stats.completionRate),
      'Completed without a person over ended runs',
    ),
    figure('Escalated', 'escalationRate', percent(stats.escalationRate)),
    figure(
      'Corrected',
      'correctionRate',
      percent(stats.correctionRate),
      'Edited or rejected over reviewed',
    ),
    figure('Time to outcome p50', 'timeToOutcomeMs.p50', duration(stats.timeToOutcomeMs.p50)),
    figure('Time to outcome p95', 'timeToOutcomeMs.p95', duration(stats.timeToOutcomeMs.p95)),
    figure('Review wait p50', 'reviewWaitMs.p50', duration(stats.reviewWaitMs.p50)),
    figure('Cost per run', 'costPerRunUsd', usd(stats.costPerRunUsd)),
    figure('Tokens', 'tokens', String(stats.tokens)),
    figure('Time saved', 'timeSavedMinutes', minutes(stats.timeSavedMinutes)),
  );
}

const COMPARED: Array<[string, (s: OutcomeStats) => string]> = [
  ['Runs', (s) => String(s.runs)],
  ['Completed on its own', (s) => percent(s.completionRate)],
  ['Escalated', (s) => percent(s.escalationRate)],
  ['Corrected', (s) => percent(s.correctionRate)],
  ['Time to outcome p50', (s) => duration(s.timeToOutcomeMs.p50)],
  ['Review wait p50', (s) => duration(s.reviewWaitMs.p50)],
  ['Cost per run', (s) => usd(s.costPerRunUsd)],
  ['Time saved', (s) => minutes(s.timeSavedMinutes)],
];

function comparison(answer: StatsComparison): HTMLElement {
  return h(
    'table',
    { class: 'compare', id: 'version-comparison' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, ''),
        answer.versions.map((v) => h('th', { scope: 'col' }, `v${v.version}`)),
      ),
    ),
    h(
      'tbody',
      {},
      COMPARED.map(([label, value]) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label),
          answer.versions.map((v) => h('td', {}, value(v.stats))),
        ),
      ),
    ),
  );
}

/** One workflow: its versions, its outcome stats over a window with charts, two versions compared. */
export function renderWorkflow(context: PageContext, id: string): void {
  show(context.main, loading('Loading the workflow…'));
  api<{ items: WorkflowSummary[] }>('GET', 'trigger/v1/workflows').then(
    ({ items }) => {
      const group = groupWorkflows(items).find((g) => g.id === id);
      if (!group) {
        show(
          context.main,
          h('h1', {}, id),
          h('p', { class: 'state empty' }, `No workflow ${id} is published.`),
          h('a', { href: '/workflows' }, 'All workflows'),
        );
        return;
      }
      draw(context, group);
    },
    (error: unknown) =>
      show(
        context.main,
        failure(error, () => renderWorkflow(context, id)),
      ),
  );
}

function draw(context: PageContext, group: WorkflowGroup): void {
  const { id, latest, versions } = group;
  const windowSelect = h(
    'select',
    { id: 'stats-window' },
    Object.keys(WINDOWS).map((name) =>
      h('option', { value: name, selected: name === '7d' }, `last ${name}`),
    ),
  );
  const versionSelect = h(
    'select',
    { id: 'stats-version' },
    h('option', { value: '' }, 'every version'),
    versions.map((v) => h('option', { value: String(v.version) }, `v${v.version}`)),
  );
  const stats = h('section', { 'aria-label': 'Outcome stats', id: 'stats' });
  const compareA = h(
    'select',
    { id: 'compare-a', 'aria-label': 'First version' },
    versions.map((v, i) =>
      h('option', { value: String(v.version), selected: i === 1 }, `v${v.version}`),
    ),
  );
  const compareB = h(
    'select',
    { id: 'compare-b', 'aria-label': 'Second version' },
    versions.map((v, i) =>
      h('option', { value: String(v.version), selected: i === 0 }, `v${v.version}`),
    ),
  );
  const compared = h('div', {});
  const definitionSelect = h(
    'select',
    { id: 'definition-version', 'aria-label': 'Version' },
    versions.map((v) =>
      h(
        'option',
        { value: String(v.version) },
        `v${v.version}${v.candidate ? ' (candidate)' : ''}`,
      ),
    ),
  );
  const definition = h('div', {});

  const scope = () => {
    const query = new URLSearchParams({ workflow: id });
    if (versionSelect.value) query.set('version', versionSelect.value);
    return query;
  };

  const loadStats = () => {
    const window = windowSelect.value as WindowName;
    show(stats, loading('Loading the stats…'));
    const total = scope();
    total.set('since', window);
    const buckets = bucketsOf(window, new Date());
    Promise.all([
      api<OutcomeStats>('GET', `trigger/v1/stats?${total.toString()}`),
      ...buckets.map((bucket) => {
        const query = scope();
        query.set('since', bucket.since);
        query.set('until', bucket.until);
        return api<OutcomeStats>('GET', `trigger/v1/stats?${query.toString()}`);
      }),
    ]).then(
      ([all, ...points]) => {
        const labels = buckets.map((b) =>
          new Date(b.since).toLocaleString(undefined, {
            month: 'short',
            day: 'numeric',
            ...(WINDOWS[window].days <= 1 ? { hour: '2-digit', minute: '2-digit' } : {}),
          }),
        );
        const of = (pick: (s: OutcomeStats) => number | null) =>
          points.map((s) => (s.runs === 0 ? null : pick(s)));
        show(
          stats,
          figures(all),
          all.runs === 0 &&
            h('p', { class: 'state empty' }, 'No runs of this workflow started in this window.'),
          all.topEscalationReasons.length > 0 &&
            h(
              'div',
              {},
              h('h3', {}, 'Why runs went to a person'),
              h(
                'ol',
                { id: 'escalation-reasons' },
                all.topEscalationReasons.map((r) => h('li', {}, `${r.reason} (${r.runs})`)),
              ),
            ),
          h(
            'div',
            { class: 'charts' },
            chart(
              'Rates over time',
              labels,
              [
                {
                  name: 'completed on its own',
                  key: 'completion',
                  values: of((s) => s.completionRate),
                  format: percent,
                },
                {
                  name: 'escalated',
                  key: 'escalation',
                  values: of((s) => s.escalationRate),
                  format: percent,
                },
                {
                  name: 'corrected',
                  key: 'correction',
                  values: of((s) => s.correctionRate),
                  format: percent,
                },
              ],
              1,
            ),
            chart('Cost per run', labels, [
              { name: 'USD per run', key: 'cost', values: of((s) => s.costPerRunUsd), format: usd },
            ]),
            chart('Time saved', labels, [
              {
                name: 'minutes saved',
                key: 'saved',
                values: of((s) => s.timeSavedMinutes),
                format: minutes,
              },
            ]),
          ),
        );
      },
      (error: unknown) => show(stats, failure(error, loadStats)),
    );
  };

  const loadComparison = () => {
    if (compareA.value === compareB.value) {
      show(compared, h('p', { class: 'state' }, 'Pick two different versions.'));
      return;
    }
    show(compared, loading('Comparing…'));
    const query = new URLSearchParams({
      workflow: id,
      compare: `${compareA.value},${compareB.value}`,
      since: windowSelect.value,
    });
    api<StatsComparison>('GET', `trigger/v1/stats?${query.toString()}`).then(
      (answer) => show(compared, comparison(answer)),
      (error: unknown) => show(compared, failure(error, loadComparison)),
    );
  };

  const loadDefinition = () => {
    show(definition, loading('Loading the definition…'));
    api<WorkflowVersionDetail>(
      'GET',
      `trigger/v1/workflows/${encodeURIComponent(id)}/versions/${definitionSelect.value}`,
    ).then(
      (version) =>
        show(
          definition,
          h(
            'p',
            {},
            `v${version.version} · ${version.mode} · owner ${version.owner} · `,
            provenance(version).join(' · '),
          ),
          h('pre', { id: 'definition', tabindex: 0 }, JSON.stringify(version.definition, null, 2)),
        ),
      (error: unknown) => show(definition, failure(error, loadDefinition)),
    );
  };

  windowSelect.addEventListener('change', () => {
    loadStats();
    if (versions.length > 1) loadComparison();
  });
  versionSelect.addEventListener('change', loadStats);
  compareA.addEventListener('change', loadComparison);
  compareB.addEventListener('change', loadComparison);
  definitionSelect.addEventListener('change', loadDefinition);

  show(
    context.main,
    h('p', {}, h('a', { href: '/workflows' }, '← Workflows')),
    h('h1', {}, id),
    h('p', {}, latest.description),
    h(
      'p',
      { class: 'muted' },
      `Latest v${latest.version} · `,
      h('span', { class: `badge ${latest.mode}` }, latest.mode),
      ` · owner ${latest.owner}`,
    ),
    h(
      'form',
      {
        class: 'filters',
        'aria-label': 'Stats window',
        onsubmit: (e: Event) => e.preventDefault(),
      },
      h('label', { for: 'stats-window' }, 'Window'),
      windowSelect,
      h('label', { for: 'stats-version' }, 'Version'),
      versionSelect,
    ),
    stats,
    h(
      'section',
      { 'aria-label': 'Versions side by side' },
      h('h2', {}, 'Versions side by side'),
      versions.length > 1
        ? [h('div', { class: 'filters' }, compareA, h('span', {}, 'against'), compareB), compared]
        : h('p', { class: 'state empty' }, 'This workflow has one version.'),
    ),
    h(
      'section',
      { 'aria-label': 'Definition' },
      h('h2', {}, 'Definition'),
      h('div', { class: 'filters' }, definitionSelect),
      definition,
    ),
  );
  loadStats();
  if (versions.length > 1) loadComparison();
  loadDefinition();
}
