import { ApiError, api, type Principal } from '../api.js';
import { h, show } from '../dom.js';

/** The key goes to the console once; it keeps it in an HttpOnly cookie the page cannot read. */
export function renderSignIn(root: HTMLElement, signedIn: (principal: Principal) => void): void {
  const input = h('input', {
    id: 'api-key',
    name: 'key',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const problem = h('p', { class: 'problem', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Baton console'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h(
      'p',
      { class: 'hint' },
      'Your Baton API key (npm start prints one per role). What you see follows its role.',
    ),
    button,
    problem,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    problem.textContent = '';
    api<Principal>('POST', 'session', { key: input.value }).then(
      (principal) => {
        input.value = '';
        signedIn(principal);
      },
      (error: unknown) => {
        button.disabled = false;
        problem.textContent =
          error instanceof ApiError && error.status === 401
            ? 'This key is not known to Baton.'
            : error instanceof ApiError
              ? error.message
              : 'Signing in failed.';
        input.select();
      },
    );
  });
  show(root, h('main', { class: 'centered' }, form));
  input.focus();
}
