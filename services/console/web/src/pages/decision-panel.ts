import { ApiError, api } from '../api.js';
import { display, h, show } from '../dom.js';
import { parseEdit, type TaskDetail } from '../tasks.js';

export interface DecisionPanelInput {
  task: TaskDetail;
  /** The task is open and the key's role may decide it. */
  canDecide: boolean;
  /** The decision was recorded: the task as the API answered it. */
  decided(task: TaskDetail, notice: string): void;
  /** The task was decided or closed meanwhile (by someone else): show it as it is now. */
  stale(notice: string): void;
}

function problemList(target: HTMLElement, problems: string[]): void {
  show(
    target,
    problems.length > 0 &&
      h(
        'ul',
        { class: 'problems' },
        problems.map((problem) => h('li', {}, problem)),
      ),
  );
}

/**
 * The proposal and what a reviewer may do with it: approve it, approve it with ONE argument
 * changed (the API checks the change with the workflow's guards and answers every problem,
 * shown beside the field; nothing is recorded until it passes), or reject it with a reason.
 */
export function renderDecisionPanel(input: DecisionPanelInput): HTMLElement {
  const { task, canDecide } = input;
  const proposal = task.proposal;
  const taskPath = `escalation/v1/tasks/${encodeURIComponent(task.id)}`;
  let busy = false;

  const decide = (
    action: 'approve' | 'reject',
    body: Record<string, unknown>,
    problems: HTMLElement,
    notice: string,
  ) => {
    if (busy) return;
    busy = true;
    problemList(problems, []);
    api<TaskDetail>('POST', `${taskPath}/${action}`, body).then(
      (decided) => input.decided(decided, notice),
      (error: unknown) => {
        busy = false;
        if (error instanceof ApiError && error.body.error === 'task-not-open')
          input.stale('Another reviewer decided this task before you.');
        else if (error instanceof ApiError) problemList(problems, error.body.problems);
        else problemList(problems, ['The decision could not be sent.']);
      },
    );
  };

  const argRows = Object.entries(proposal?.args ?? {}).map(([name, value]) => {
    const cell = h('div', {}, h('code', {}, display(value)));
    const problems = h('div', { class: 'arg-problems', id: `problems-${name}`, role: 'alert' });
    const startEdit = () => {
      for (const open of document.querySelectorAll<HTMLButtonElement>('button[data-cancel-edit]'))
        open.click();
      const field = h('input', {
        id: `edit-${name}`,
        'aria-label': `new value of ${name}`,
        value: typeof value === 'string' ? value : JSON.stringify(value),
      });
      const cancel = h('button', { type: 'button', 'data-cancel-edit': name }, 'Cancel');
      const approve = h('button', { type: 'submit', class: 'primary' }, 'Approve with this change');
      const form = h('form', { class: 'edit' }, field, approve, cancel);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const parsed = parseEdit(value, field.value);
        if (!parsed.ok) return problemList(problems, [`args.${name}: ${parsed.problem}`]);
        decide(
          'approve',
          { args: { ...proposal!.args, [name]: parsed.value } },
          problems,
          `Approved with ${name} changed.`,
        );
      });
      cancel.addEventListener('click', () => {
        show(cell, h('code', {}, display(value)));
        problemList(problems, []);
      });
      show(cell, form);
      field.focus();
      field.select();
    };
    return h(
      'tr',
      { 'data-arg': name },
      h('th', { scope: 'row' }, name),
      h('td', {}, cell, problems),
      canDecide &&
        proposal?.tool &&
        h('td', {}, h('button', { type: 'button', 'data-edit': name, onclick: startEdit }, 'Edit')),
    );
  });

  const approveProblems = h('div', { role: 'alert' });
  const rejectProblems = h('div', { role: 'alert' });
  const reason = h('textarea', { id: 'reject-reason', rows: 2, required: true });
  const rejectForm = h(
    'form',
    { class: 'reject' },
    h('label', { for: 'reject-reason' }, 'Reason for rejecting'),
    reason,
    h('button', { type: 'submit' }, 'Reject'),
    rejectProblems,
  );
  rejectForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!reason.value.trim())
      return problemList(rejectProblems, ['reason: say why, for the run and the customer']);
    decide('reject', { reason: reason.value.trim() }, rejectProblems, 'Rejected.');
  });

  return h(
    'section',
    { class: 'panel proposal', 'aria-label': 'Proposal' },
    h('h2', {}, 'Proposal'),
    proposal
      ? [
          h(
            'p',
            {},
            proposal.tool ? h('strong', {}, proposal.tool) : 'No action',
            ` · ${proposal.label} · ${Math.round(proposal.confidence * 100)} % sure · by ${proposal.decidedBy}`,
          ),
          h('p', { class: 'rationale' }, proposal.rationale),
          argRows.length > 0 && h('table', { class: 'args' }, h('tbody', {}, argRows)),
        ]
      : h('p', { class: 'muted' }, 'The run escalated without a proposal.'),
    canDecide &&
      h(
        'div',
        { class: 'actions' },
        proposal?.tool
          ? [
              h(
                'button',
                {
                  type: 'button',
                  class: 'primary',
                  id: 'approve',
                  onclick: () => decide('approve', {}, approveProblems, 'Approved as proposed.'),
                },
                'Approve',
              ),
              approveProblems,
            ]
          : h(
              'p',
              { class: 'muted' },
              'Approving without a proposal names a tool and its arguments: use the API or the CLI.',
            ),
        rejectForm,
      ),
  );
}
