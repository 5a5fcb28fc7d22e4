import { api } from '../api.js';
import { ago, display, h, show, time } from '../dom.js';
import type { PageContext } from '../page.js';
import { byQueue, type TaskPage, type TaskSummary } from '../tasks.js';
import { failure, loading } from './states.js';

/** Enough for any inbox a person works through; more is a sign the queue needs another view. */
const MOST_TASKS = 1000;

/** Every open task: the API answers newest first, a page at a time. */
async function openTasks(): Promise<{ tasks: TaskSummary[]; more: boolean }> {
  const tasks: TaskSummary[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ status: 'open', limit: '200' });
    if (cursor) query.set('cursor', cursor);
    const page: TaskPage = await api<TaskPage>('GET', `escalation/v1/tasks?${query}`);
    tasks.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && tasks.length < MOST_TASKS);
  return { tasks, more: cursor !== null };
}

function slaBadge(task: TaskSummary): HTMLElement {
  if (task.overdue) return h('span', { class: 'badge overdue' }, 'SLA breached');
  if (!task.slaDueAt) return h('span', { class: 'badge' }, 'no SLA');
  return h('span', { class: 'badge' }, `due ${time(task.slaDueAt)}`);
}

function row(task: TaskSummary, index: number): HTMLElement {
  return h(
    'li',
    {},
    h(
      'a',
      {
        href: `/tasks/${task.id}`,
        class: 'task-row',
        'data-index': index,
        'data-task-id': task.id,
      },
      h(
        'div',
        { class: 'task-line' },
        slaBadge(task),
        h('strong', {}, `${task.workflow.id} v${task.workflow.version}`),
        h('span', { class: 'muted' }, `waiting ${ago(task.createdAt)}`),
        task.claimedBy && h('span', { class: 'badge' }, `claimed by ${task.claimedBy}`),
      ),
      h('div', { class: 'reason' }, task.reason),
      task.highlights.length > 0 &&
        h(
          'dl',
          { class: 'highlights' },
          task.highlights.map((highlight) => [
            h('dt', {}, highlight.path),
            h('dd', {}, highlight.missing ? '(missing)' : display(highlight.value)),
          ]),
        ),
    ),
  );
}

/**
 * Open tasks by queue, SLA-breaching and oldest first. j/k or the arrow keys move through
 * them, Enter opens one (each row is a link, so the browser's own Tab and Enter work too).
 */
export function renderInbox(context: PageContext): void {
  const load = () => {
    show(context.main, h('h1', {}, 'Review inbox'), loading('Loading open tasks…'));
    openTasks().then(
      ({ tasks, more }) => draw(tasks, more),
      (error: unknown) => show(context.main, h('h1', {}, 'Review inbox'), failure(error, load)),
    );
  };

  const draw = (tasks: TaskSummary[], more: boolean) => {
    const refresh = h('button', { type: 'button', onclick: load }, 'Refresh');
    if (tasks.length === 0) {
      show(
        context.main,
        h('h1', {}, 'Review inbox'),
        h(
          'div',
          { class: 'state empty' },
          h('p', {}, 'No open tasks. A run that needs a person shows up here.'),
          refresh,
        ),
      );
      return;
    }
    let index = 0;
    const groups = byQueue(tasks).map(({ queue, tasks: queued }) =>
      h(
        'section',
        { class: 'queue', 'aria-label': `queue ${queue}` },
        h('h2', {}, `${queue} `, h('span', { class: 'muted' }, `(${queued.length})`)),
        h(
          'ol',
          { class: 'tasks' },
          queued.map((task) => row(task, index++)),
        ),
      ),
    );
    show(
      context.main,
      h(
        'div',
        { class: 'page-title' },
        h('h1', {}, 'Review inbox'),
        h('span', { class: 'muted' }, `${tasks.length} open`),
        refresh,
      ),
      h(
        'p',
        { class: 'hint' },
        h('kbd', {}, 'j'),
        ' / ',
        h('kbd', {}, 'k'),
        ' or the arrow keys to move, ',
        h('kbd', {}, 'Enter'),
        ' to open.',
      ),
      more && h('p', { class: 'state' }, `Showing the newest ${tasks.length} open tasks.`),
      groups,
    );
    const rows = [...context.main.querySelectorAll<HTMLAnchorElement>('a.task-row')];
    let selected = 0;
    const select = (next: number) => {
      selected = Math.max(0, Math.min(rows.length - 1, next));
      rows.forEach((r, i) => r.setAttribute('aria-current', i === selected ? 'true' : 'false'));
      rows[selected]?.focus();
    };
    select(0);
    const onKey = (event: KeyboardEvent) => {
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement)
        return;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === 'j' || event.key === 'ArrowDown') select(selected + 1);
      else if (event.key === 'k' || event.key === 'ArrowUp') select(selected - 1);
      else if (event.key === 'Enter' && document.activeElement === document.body)
        rows[selected]?.click();
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    context.onLeave(() => document.removeEventListener('keydown', onKey));
  };

  load();
}
