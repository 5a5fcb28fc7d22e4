import { ApiError, api } from '../api.js';
import { ago, display, h, show, time } from '../dom.js';
import { mayReview, type PageContext } from '../page.js';
import type { TaskDetail } from '../tasks.js';
import { renderDecisionPanel } from './decision-panel.js';
import { failure, loading } from './states.js';
import type { RunDetail } from '../runs.js';
import { watchRun } from './run-status.js';

function section(title: string, ...content: Array<Node | string | false | null>): HTMLElement {
  return h('section', { class: 'panel', 'aria-label': title }, h('h2', {}, title), ...content);
}

/** How each review outcome reads; `edited` is an approval with changed arguments. */
const OUTCOMES: Record<string, string> = {
  approved: 'Approved',
  edited: 'Approved with changes',
  rejected: 'Rejected',
};

function decisionBanner(task: TaskDetail, notice?: string): HTMLElement | null {
  if (task.decision) {
    const { reviewer, outcome, decidedAt, reason, args } = task.decision;
    return h(
      'div',
      { class: `banner ${outcome}`, role: 'status', 'data-decision': outcome },
      notice && h('p', {}, notice),
      h(
        'p',
        {},
        h('strong', {}, OUTCOMES[outcome] ?? outcome),
        ` by ${reviewer.name} (${reviewer.role}) at ${time(decidedAt)}`,
        reason ? `: ${reason}` : '',
      ),
      outcome === 'edited' && args && h('p', { class: 'muted' }, `Arguments: ${display(args)}`),
    );
  }
  if (task.status === 'closed')
    return h(
      'div',
      { class: 'banner closed', role: 'status', 'data-decision': 'closed' },
      h('p', {}, `Closed without review: ${task.closedReason ?? 'the run ended'}`),
    );
  return null;
}

function customerWords(task: TaskDetail): HTMLElement {
  const { message, ...rest } = task.trigger.data;
  return section(
    "The customer's words",
    typeof message === 'string'
      ? h('blockquote', { class: 'words' }, message)
      : h('p', { class: 'muted' }, 'The trigger carries no message.'),
    h(
      'dl',
      { class: 'fields' },
      h('dt', {}, 'event'),
      h('dd', {}, `${task.trigger.eventType}, received ${time(task.trigger.receivedAt)}`),
      Object.entries(rest).map(([name, value]) => [h('dt', {}, name), h('dd', {}, display(value))]),
    ),
  );
}

function evidence(task: TaskDetail): HTMLElement {
  return section(
    'Evidence',
    task.weakEvidence &&
      h('p', { class: 'badge warn' }, 'Some evidence is weak: do not trust it alone.'),
    task.evidence.length === 0
      ? h('p', { class: 'muted' }, 'No evidence was gathered.')
      : h(
          'ul',
          { class: 'evidence' },
          task.evidence.map((item) =>
            h(
              'li',
              {},
              h(
                'div',
                { class: 'task-line' },
                h('strong', {}, item.source),
                h('span', { class: 'muted' }, item.kind),
                item.weak && h('span', { class: 'badge warn' }, item.failed ? 'failed' : 'weak'),
              ),
              item.note && h('p', { class: 'muted' }, item.note),
              h('pre', {}, JSON.stringify(item.content, null, 2)),
            ),
          ),
        ),
  );
}

function runSoFar(task: TaskDetail): HTMLElement {
  return section(
    'The run so far',
    h(
      'p',
      {},
      'Run ',
      h('a', { href: `/runs/${task.runId}`, id: 'run-link' }, h('code', {}, task.runId)),
      ' ',
      h('span', { id: 'run-status' }),
    ),
    h('ol', { class: 'history', id: 'run-steps' }),
  );
}

/** The run's status and steps, as the last poll found them. */
function drawRun(main: HTMLElement, run: RunDetail | 'unknown'): void {
  const status = main.querySelector<HTMLElement>('#run-status');
  const steps = main.querySelector<HTMLElement>('#run-steps');
  if (!status || !steps) return;
  if (run === 'unknown') return show(status, 'status unknown (asking again)');
  status.dataset['runStatus'] = run.status;
  status.className = `badge ${run.status}`;
  show(
    status,
    run.reason && run.status !== 'running' ? `${run.status}: ${run.reason}` : run.status,
  );
  show(
    steps,
    run.steps.map((step) =>
      h(
        'li',
        {},
        h('span', { class: 'muted' }, `${step.seq}.`),
        ` ${step.name} `,
        h('span', { class: 'muted' }, `(${step.kind})`),
        ' ',
        h('span', { class: `badge ${step.outcome}` }, step.outcome),
        step.durationMs !== null && h('span', { class: 'muted' }, ` ${step.durationMs} ms`),
      ),
    ),
  );
}

/**
 * One task: why it is here, the customer's words, the evidence, the proposal (with the
 * decision panel for a reviewer) and the run so far, whose status follows the run live.
 */
export function renderTask(context: PageContext, id: string): void {
  let stopWatching: (() => void) | undefined;
  context.onLeave(() => stopWatching?.());

  const draw = (task: TaskDetail, notice?: string) => {
    const canDecide = task.status === 'open' && mayReview(context.principal);
    show(
      context.main,
      h('a', { href: '/inbox', class: 'back' }, '← Inbox'),
      h(
        'div',
        { class: 'page-title' },
        h('h1', {}, `${task.workflow.id} v${task.workflow.version}`),
        h('span', { class: `badge ${task.status}`, 'data-task-status': task.status }, task.status),
        task.overdue && h('span', { class: 'badge overdue' }, 'SLA breached'),
      ),
      h(
        'p',
        { class: 'muted' },
        `Queue ${task.queue} · waiting since ${ago(task.createdAt)} · SLA ${time(task.slaDueAt)}`,
        task.claimedBy ? ` · claimed by ${task.claimedBy} until ${time(task.claimedUntil)}` : '',
      ),
      decisionBanner(task, notice),
      h('div', { class: 'reason-box' }, h('strong', {}, 'Why it is here: '), task.reason),
      task.highlights.length > 0 &&
        h(
          'dl',
          { class: 'highlights large' },
          task.highlights.map((highlight) => [
            h('dt', {}, highlight.path),
            h('dd', {}, highlight.missing ? '(missing)' : display(highlight.value)),
          ]),
        ),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          renderDecisionPanel({
            task,
            canDecide,
            decided: (decided, message) => draw(decided, message),
            stale: (message) => reload(message),
          }),
          runSoFar(task),
        ),
        h('div', {}, customerWords(task), evidence(task)),
      ),
    );
    stopWatching?.();
    stopWatching = watchRun(task.runId, (run) => drawRun(context.main, run));
  };

  const reload = (notice?: string) => {
    api<TaskDetail>('GET', `escalation/v1/tasks/${encodeURIComponent(id)}`).then(
      (task) => draw(task, notice),
      (error: unknown) =>
        show(
          context.main,
          h('a', { href: '/inbox', class: 'back' }, '← Inbox'),
          failure(
            error,
            error instanceof ApiError && error.status < 500 ? undefined : () => reload(),
          ),
        ),
    );
  };

  show(context.main, loading('Loading the task…'));
  reload();
}
