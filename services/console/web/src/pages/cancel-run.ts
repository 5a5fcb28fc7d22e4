import { ApiError, api } from '../api.js';
import { h, show } from '../dom.js';

/**
 * Ends a run that has not ended (`POST /v1/runs/:id/cancel`), with a reason recorded on it. A
 * run that ended meanwhile is not an error: the page shows how it ended.
 */
export function cancelRunForm(runId: string, changed: () => void): HTMLElement {
  const reason = h('input', { id: 'cancel-reason', required: true, 'aria-label': 'reason' });
  const problems = h('div', { role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Cancel the run');
  const form = h(
    'form',
    { class: 'panel cancel', 'aria-label': 'Cancel the run' },
    h('label', { for: 'cancel-reason' }, 'Cancel this run, because'),
    reason,
    button,
    problems,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!reason.value.trim()) {
      show(problems, h('p', { class: 'problem' }, 'reason: say why the run is cancelled'));
      return;
    }
    button.disabled = true;
    api('POST', `trigger/v1/runs/${encodeURIComponent(runId)}/cancel`, {
      reason: reason.value.trim(),
    }).then(changed, (error: unknown) => {
      button.disabled = false;
      if (error instanceof ApiError && error.body.error === 'run-ended') return changed();
      show(
        problems,
        h(
          'ul',
          { class: 'problems' },
          (error instanceof ApiError
            ? error.body.problems
            : ['The run could not be cancelled.']
          ).map((problem) => h('li', {}, problem)),
        ),
      );
    });
  });
  return form;
}
