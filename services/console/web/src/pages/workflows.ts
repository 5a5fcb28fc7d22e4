import { api } from '../api.js';
import { ago, h, show } from '../dom.js';
import type { PageContext } from '../page.js';
import { groupWorkflows, type WorkflowSummary } from '../workflows.js';
import { failure, loading } from './states.js';

/** Every workflow: its latest version, mode, owner and how many versions it has. */
export function renderWorkflows(context: PageContext): void {
  const results = h('div', {});
  show(context.main, h('h1', {}, 'Workflows'), results);
  const load = () => {
    show(results, loading('Loading workflows…'));
    api<{ items: WorkflowSummary[] }>('GET', 'trigger/v1/workflows').then(
      ({ items }) => {
        const groups = groupWorkflows(items);
        if (groups.length === 0) {
          show(
            results,
            h(
              'p',
              { class: 'state empty' },
              'No workflow is published yet: `baton publish <file>` (docs/first-workflow.md).',
            ),
          );
          return;
        }
        show(
          results,
          h(
            'table',
            { class: 'workflows' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Workflow', 'Latest', 'Mode', 'Owner', 'Versions', 'Published'].map((name) =>
                  h('th', {}, name),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              groups.map(({ id, latest, versions }) =>
                h(
                  'tr',
                  { 'data-workflow': id },
                  h(
                    'td',
                    {},
                    h('a', { href: `/workflows/${encodeURIComponent(id)}` }, id),
                    h('div', { class: 'muted' }, latest.description),
                  ),
                  h('td', {}, `v${latest.version}`),
                  h('td', {}, h('span', { class: `badge ${latest.mode}` }, latest.mode)),
                  h('td', {}, latest.owner),
                  h('td', {}, versions.length),
                  h(
                    'td',
                    { title: latest.publishedAt ?? 'bundled, not yet published' },
                    latest.publishedAt ? ago(latest.publishedAt) : 'bundled',
                  ),
                ),
              ),
            ),
          ),
        );
      },
      (error: unknown) => show(results, failure(error, load)),
    );
  };
  load();
}
