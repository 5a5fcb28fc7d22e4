import { ApiError } from '../api.js';
import { h } from '../dom.js';

export function loading(what: string): HTMLElement {
  return h('p', { class: 'state', role: 'status' }, what);
}

/** An error for people: what went wrong, what to do, and a way to try again. */
export function failure(error: unknown, retry?: () => void): HTMLElement {
  const body = error instanceof ApiError ? error.body : undefined;
  const message =
    body?.statusCode === 403
      ? `Your key's role may not see this. ${body.message}`
      : (body?.message ?? 'Something went wrong in the page.');
  return h(
    'div',
    { class: 'state error', role: 'alert', 'data-error': body?.error ?? 'page' },
    h('p', {}, message),
    retry && h('button', { type: 'button', onclick: () => retry() }, 'Try again'),
  );
}
