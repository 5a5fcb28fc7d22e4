import { ApiError, api, type Principal } from './api.js';
import { h, show } from './dom.js';
import { mayReview, type PageContext } from './page.js';
import { renderDeadLetter } from './pages/dead-letter.js';
import { renderDeadLetters } from './pages/dead-letters.js';
import { renderInbox } from './pages/inbox.js';
import { renderPublisherHome } from './pages/publisher.js';
import { renderRun } from './pages/run.js';
import { renderRuns } from './pages/runs.js';
import { renderSignIn } from './pages/sign-in.js';
import { failure } from './pages/states.js';
import { renderTask } from './pages/task.js';
import { renderWorkflow } from './pages/workflow.js';
import { renderWorkflows } from './pages/workflows.js';

const root = document.getElementById('app')!;
let principal: Principal | undefined;
const leaving: Array<() => void> = [];

/** Where a role starts: reviewers and admins at their inbox, a publisher at what it may do. */
function home(who: Principal): string {
  return mayReview(who) ? '/inbox' : '/publisher';
}

function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  void route();
}

/** The frame around every page: who is signed in, what the role may open, sign-out. */
function frame(who: Principal): HTMLElement {
  const main = h('main', { id: 'main' });
  const signOut = () =>
    void api('DELETE', 'session').then(
      () => {
        principal = undefined;
        navigate('/sign-in');
      },
      (error: unknown) => show(main, failure(error)),
    );
  show(
    root,
    h(
      'header',
      { class: 'top' },
      h('a', { href: home(who), class: 'brand' }, 'Baton'),
      h(
        'nav',
        { 'aria-label': 'Console' },
        mayReview(who) && h('a', { href: '/inbox', 'data-nav': 'inbox' }, 'Review inbox'),
        mayReview(who) && h('a', { href: '/runs', 'data-nav': 'runs' }, 'Runs'),
        mayReview(who) && h('a', { href: '/workflows', 'data-nav': 'workflows' }, 'Workflows'),
        who.role === 'admin' &&
          h('a', { href: '/dead-letters', 'data-nav': 'dead-letters' }, 'Dead letters'),
      ),
      h('span', { class: 'who', 'data-role': who.role }, `${who.name} · ${who.role}`),
      h('button', { type: 'button', onclick: signOut }, 'Sign out'),
    ),
    main,
  );
  return main;
}

async function route(): Promise<void> {
  for (const cleanup of leaving.splice(0)) cleanup();
  if (!principal) {
    try {
      principal = await api<Principal>('GET', 'session');
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        show(
          root,
          h(
            'main',
            { class: 'centered' },
            failure(error, () => void route()),
          ),
        );
        return;
      }
    }
  }
  if (!principal) {
    if (location.pathname !== '/sign-in') history.replaceState(null, '', '/sign-in');
    renderSignIn(root, (who) => {
      principal = who;
      navigate(home(who), true);
    });
    return;
  }
  const path = location.pathname;
  if (path === '/' || path === '/sign-in') return navigate(home(principal), true);
  const context: PageContext = {
    principal,
    main: frame(principal),
    navigate,
    onLeave: (cleanup) => leaving.push(cleanup),
  };
  const task = /^\/tasks\/([^/]+)$/.exec(path);
  const run = /^\/runs\/([^/]+)$/.exec(path);
  const workflow = /^\/workflows\/([^/]+)$/.exec(path);
  const deadLetter = /^\/dead-letters\/([^/]+)$/.exec(path);
  const admin = principal.role === 'admin';
  if (path === '/inbox' && mayReview(principal)) renderInbox(context);
  else if (task && mayReview(principal)) renderTask(context, decodeURIComponent(task[1]!));
  else if (path === '/runs' && mayReview(principal)) renderRuns(context);
  else if (run && mayReview(principal)) renderRun(context, decodeURIComponent(run[1]!));
  else if (path === '/workflows' && mayReview(principal)) renderWorkflows(context);
  else if (workflow && mayReview(principal))
    renderWorkflow(context, decodeURIComponent(workflow[1]!));
  else if (path === '/dead-letters' && admin) renderDeadLetters(context);
  else if (deadLetter && admin) renderDeadLetter(context, decodeURIComponent(deadLetter[1]!));
  else if (path === '/publisher') renderPublisherHome(context);
  else
    show(
      context.main,
      h('h1', {}, 'Not here'),
      h('p', {}, `There is nothing at ${path} for a ${principal.role} key.`),
      h('a', { href: home(principal) }, 'Go to your start page'),
    );
}

// Links inside the app change the page without reloading it.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a');
  if (
    !link ||
    link.origin !== location.origin ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey
  )
    return;
  event.preventDefault();
  navigate(link.pathname);
});
window.addEventListener('popstate', () => void route());
void route();
