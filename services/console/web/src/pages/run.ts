import { api } from '../api.js';
import { ago, h, show, time } from '../dom.js';
import { mayReview, type PageContext } from '../page.js';
import { cancelRunForm } from './cancel-run.js';
import { traceLink, type RunDetail, type RunStep } from '../runs.js';
import { ENDED, watchRun } from './run-status.js';
import { failure, loading } from './states.js';

function json(value: unknown): string {
  return value === undefined || value === null ? '—' : JSON.stringify(value, null, 2);
}

function step(item: RunStep): HTMLElement {
  return h(
    'li',
    { 'data-step': item.seq },
    h(
      'details',
      {},
      h(
        'summary',
        {},
        h('span', { class: 'muted' }, `${item.seq}.`),
        ` ${item.name} `,
        h('span', { class: 'muted' }, `(${item.kind})`),
        ' ',
        h('span', { class: `badge ${item.outcome}` }, item.outcome),
        item.attempt > 1 && h('span', { class: 'badge warn' }, `attempt ${item.attempt}`),
        item.durationMs !== null && h('span', { class: 'muted' }, ` ${item.durationMs} ms`),
      ),
      h(
        'div',
        { class: 'step-io' },
        h('div', {}, h('h3', {}, 'Input'), h('pre', {}, json(item.input))),
        h('div', {}, h('h3', {}, 'Output'), h('pre', {}, json(item.output))),
      ),
    ),
  );
}

/**
 * One run: what started it, its status and every step with its input and output (opened on
 * demand), kept current while the run moves.
 */
export function renderRun(context: PageContext, id: string): void {
  let traceUrl: string | null = null;
  // The run, drawn again as it moves; the cancel form beside it keeps what is typed in it.
  const view = h('div', {});
  let cancel: HTMLElement | undefined;
  const draw = (run: RunDetail) => {
    if (ENDED.has(run.status)) cancel?.remove();
    show(
      view,
      h('a', { href: '/runs', class: 'back' }, '← Runs'),
      h(
        'div',
        { class: 'page-title' },
        h('h1', {}, `${run.workflow.id} v${run.workflow.version}`),
        h('span', { class: `badge ${run.status}`, 'data-run-status': run.status }, run.status),
        !ENDED.has(run.status) && h('span', { class: 'muted' }, 'updating live'),
      ),
      h(
        'p',
        { class: 'muted' },
        `Run ${run.id} · tenant ${run.tenantId} · ${run.eventType} · started ${ago(run.createdAt)}`,
        run.endedAt ? ` · ended ${time(run.endedAt)}` : '',
      ),
      traceLink(traceUrl, run.traceId) &&
        h(
          'p',
          {},
          h(
            'a',
            {
              href: traceLink(traceUrl, run.traceId)!,
              id: 'trace-link',
              target: '_blank',
              rel: 'noopener noreferrer',
            },
            'Open the trace',
          ),
        ),
      run.reason && h('div', { class: 'reason-box' }, h('strong', {}, 'Reason: '), run.reason),
      h(
        'section',
        { class: 'panel', 'aria-label': 'Steps' },
        h('h2', {}, `Steps (${run.steps.length})`),
        h('ol', { class: 'history steps' }, run.steps.map(step)),
      ),
    );
  };

  const redraw = (run: RunDetail) => {
    // Steps a reader opened stay open when the live run is drawn again.
    const opened = [
      ...context.main.querySelectorAll<HTMLElement>('li[data-step] > details[open]'),
    ].map((details) => details.parentElement!.dataset['step']);
    draw(run);
    for (const seq of opened)
      context.main.querySelector(`li[data-step="${seq}"] > details`)?.setAttribute('open', '');
  };

  const load = () => {
    show(context.main, loading('Loading the run…'));
    Promise.all([
      api<RunDetail>('GET', `trigger/v1/runs/${encodeURIComponent(id)}`),
      api<{ traceUrl: string | null }>('GET', 'settings'),
    ]).then(
      ([run, settings]) => {
        traceUrl = settings.traceUrl;
        cancel =
          mayReview(context.principal) && !ENDED.has(run.status)
            ? cancelRunForm(id, load)
            : undefined;
        show(context.main, view, cancel);
        draw(run);
        if (!ENDED.has(run.status))
          context.onLeave(watchRun(id, (live) => live !== 'unknown' && redraw(live)));
      },
      (error: unknown) =>
        show(
          context.main,
          h('a', { href: '/runs', class: 'back' }, '← Runs'),
          failure(error, load),
        ),
    );
  };
  load();
}
