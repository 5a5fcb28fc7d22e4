import { h, show } from '../dom.js';
import type { PageContext } from '../page.js';

/** A publisher's key starts runs and does nothing else: the page says so, and where to look. */
export function renderPublisherHome(context: PageContext): void {
  show(
    context.main,
    h('h1', {}, 'Publisher'),
    h(
      'p',
      {},
      `Signed in as ${context.principal.name}. A publisher key starts runs (POST /v1/triggers); it does not read runs or review tasks.`,
    ),
    h('p', {}, 'Reviewing needs a reviewer or admin key: sign out and sign in with one.'),
  );
}
