import { ago, h, show } from '../dom.js';
import type { PageContext } from '../page.js';
import { RUN_STATUSES, type RunPage, type RunSummary } from '../runs.js';
import { pagedList } from './paged-list.js';

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
  const list = pagedList<RunSummary, RunPage>({
    path: 'trigger/v1/runs',
    label: 'Filter runs',
    filters: [
      { label: 'Workflow', control: workflow, name: 'workflowId' },
      { label: 'Status', control: status, name: 'status' },
    ],
    loadingText: 'Loading runs…',
    emptyText: 'No runs match.',
    tableClass: 'runs',
    columns: ['Run', 'Workflow', 'Status', 'Tenant', 'Started'],
    row,
  });
  show(context.main, h('h1', {}, 'Runs'), list.form, list.results);
  list.load();
}
