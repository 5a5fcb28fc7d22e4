import { api } from '../api.js';
import { h, show } from '../dom.js';
import { listQuery } from '../runs.js';
import { failure, loading } from './states.js';

export interface PagedListOptions<T, P extends { items: T[]; nextCursor: string | null }> {
  /** The API path (through the console's forwarder) without the query. */
  path: string;
  /** The filter form's name, for assistive technology. */
  label: string;
  /** Each filter: its label and its control (the control's id ties the label to it). */
  filters: Array<{ label: string; control: HTMLInputElement | HTMLSelectElement; name: string }>;
  loadingText: string;
  emptyText: string;
  tableClass: string;
  columns: string[];
  row(item: T): HTMLElement;
  /** Called with every page as it arrives (before the rows are drawn). */
  onPage?(page: P): void;
}

/**
 * A list read a page at a time, newest first, as the API pages it (`cursor`, `nextCursor`): a
 * filter form, the table, Newer and Older. Searching starts again from the newest.
 */
export function pagedList<T, P extends { items: T[]; nextCursor: string | null }>(
  options: PagedListOptions<T, P>,
): { form: HTMLFormElement; results: HTMLElement; load(): void } {
  const results = h('div', {});
  // The cursors of the pages before this one, to go back.
  let previous: string[] = [];
  let current: string | undefined;

  const load = (cursor?: string) => {
    current = cursor;
    show(results, loading(options.loadingText));
    const filters = Object.fromEntries(options.filters.map((f) => [f.name, f.control.value]));
    api<P>('GET', `${options.path}?${listQuery({ ...filters, cursor })}`).then(
      (page) => draw(page),
      (error: unknown) =>
        show(
          results,
          failure(error, () => load(cursor)),
        ),
    );
  };

  const draw = (page: P) => {
    options.onPage?.(page);
    if (page.items.length === 0) {
      show(results, h('p', { class: 'state empty' }, options.emptyText));
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
        { class: options.tableClass },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            options.columns.map((name) => h('th', {}, name)),
          ),
        ),
        h('tbody', {}, page.items.map(options.row)),
      ),
      h('div', { class: 'pager' }, newer, older),
    );
  };

  const form = h(
    'form',
    { class: 'filters', 'aria-label': options.label },
    options.filters.map((filter) => [
      h('label', { for: filter.control.id }, filter.label),
      filter.control,
    ]),
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    previous = [];
    load();
  });
  return { form, results, load: () => load() };
}
