import { api } from '../api.js';
import { ago, h, show } from '../dom.js';
import type { PageContext } from '../page.js';
import { RUN_STATUSES, listQuery, type RunPage, type RunSummary } from '../runs.js';
import { failure, loading } from './states.js';

function row(run: RunSummary): HTMLElement {
  return h(
    'tr',
    { 'data-run-id': run.id },
    h('td', {}, h('a', { href: `/runs/${run.id}` }, h('code', {}, run.id.slice(0, 13)), '…')),
    h('td', {}, `${run.workflow.id} v${run.workflow.version}`),
    h('td', {}, h('span', { class: `badge ${run.status}` }, run.status)),
    h('td', {}, run.tenantId),
    h('td', { title: run.createdAt }, ago(run.createdAt)),
  );
}

/** Runs, newest first, by workflow and status, a page at a time. */
export function renderRuns(context: PageContext): void {
  const workflow = h('input', { id: 'runs-workflow', placeholder: 'any workflow' });
  const status = h(
    'select',
    { id: 'runs-status' },
    h('option', { value: '' }, 'any status'),
    RUN_STATUSES.map((value) => h('option', { value }, value)),
  );
  const results = h('div', {});
  // The cursors of the pages before this one, to go back.
  let previous: string[] = [];
  let current: string | undefined;

  const load = (cursor?: string) => {
    current = cursor;
    show(results, loading('Loading runs…'));
    api<RunPage>(
      'GET',
      `trigger/v1/runs?${listQuery({ workflowId: workflow.value, status: status.value, cursor })}`,
    ).then(
      (page) => draw(page),
      (error: unknown) =>
        show(
          results,
          failure(error, () => load(cursor)),
        ),
    );
  };

  const draw = (page: RunPage) => {
    if (page.items.length === 0) {
      show(results, h('p', { class: 'state empty' }, 'No runs match.'));
      return;
    }
    const newer = h('button', { type: 'button', disabled: previous.length === 0 }, 'Newer');
    const older = h('button', { type: 'button', disabled: !page.nextCursor }, 'Older');
    newer.addEventListener('click', () => load(previous.pop()));
    older.addEventListener('click', () => {
      previous.push(current ?? '');
      load(page.nextCursor ?? undefined);
    });
    show(
      results,
      h(
        'table',
        { class: 'runs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Run', 'Workflow', 'Status', 'Tenant', 'Started'].map((name) => h('th', {}, name)),
          ),
        ),
        h('tbody', {}, page.items.map(row)),
      ),
      h('div', { class: 'pager' }, newer, older),
    );
  };

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter runs' },
    h('label', { for: 'runs-workflow' }, 'Workflow'),
    workflow,
    h('label', { for: 'runs-status' }, 'Status'),
    status,
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    previous = [];
    load();
  });
  show(context.main, h('h1', {}, 'Runs'), form, results);
  load();
}
