import { api } from '../api.js';
import { ago, h, show } from '../dom.js';
import type { PageContext } from '../page.js';
import { listQuery } from '../runs.js';
import {
  replayState,
  type DeadLetterPage,
  type DeadLetterSummary,
  type DeadLetterTopic,
} from '../dead-letters.js';
import { failure, loading } from './states.js';

function row(letter: DeadLetterSummary): HTMLElement {
  return h(
    'tr',
    { 'data-dead-letter-id': letter.id },
    h(
      'td',
      {},
      h('a', { href: `/dead-letters/${letter.id}` }, h('code', {}, letter.sourceTopic)),
      letter.key && h('div', { class: 'key' }, h('small', {}, `key ${letter.key}`)),
    ),
    h('td', {}, h('span', { class: 'badge failed', 'data-reason': letter.reason }, letter.reason)),
    h('td', { class: 'errors' }, letter.errors[0] ?? '—'),
    h('td', { title: letter.failedAt }, ago(letter.failedAt)),
    h(
      'td',
      { 'data-replays': letter.replays },
      letter.replays ? h('span', { class: 'badge completed' }, replayState(letter)) : 'waiting',
    ),
  );
}

function topicCounts(topics: DeadLetterTopic[]): HTMLElement {
  if (topics.length === 0)
    return h('p', { class: 'state empty' }, 'No dead-letter topic holds a record.');
  return h(
    'ul',
    { class: 'topic-counts', 'aria-label': 'Dead-letter topics' },
    topics.map((topic) =>
      h(
        'li',
        { 'data-topic': topic.topic },
        h('code', {}, topic.topic),
        ` ${topic.open} waiting of ${topic.total}`,
      ),
    ),
  );
}

/**
 * Dead letters (admins): what lies in each dead-letter topic, newest first, by topic and
 * whether it was replayed; each opens to its record and the replay.
 */
export function renderDeadLetters(context: PageContext): void {
  const topic = h('select', { id: 'dl-topic' }, h('option', { value: '' }, 'every topic'));
  const status = h(
    'select',
    { id: 'dl-status' },
    h('option', { value: 'open' }, 'waiting'),
    h('option', { value: 'replayed' }, 'replayed'),
    h('option', { value: '' }, 'all'),
  );
  const counts = h('div', {});
  const results = h('div', {});
  let previous: string[] = [];
  let current: string | undefined;

  const load = (cursor?: string) => {
    current = cursor;
    show(results, loading('Loading dead letters…'));
    api<DeadLetterPage>(
      'GET',
      `trigger/v1/dead-letters?${listQuery({ topic: topic.value, status: status.value, cursor })}`,
    ).then(
      (page) => draw(page),
      (error: unknown) =>
        show(
          results,
          failure(error, () => load(cursor)),
        ),
    );
  };

  const draw = (page: DeadLetterPage) => {
    show(counts, topicCounts(page.topics));
    // The topic filter offers the topics that hold something, keeping the one chosen.
    const chosen = topic.value;
    show(
      topic,
      h('option', { value: '' }, 'every topic'),
      page.topics.map((t) =>
        h('option', { value: t.topic, selected: t.topic === chosen }, t.topic),
      ),
    );
    if (page.items.length === 0) {
      show(results, h('p', { class: 'state empty' }, 'No dead letters match.'));
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
        { class: 'runs dead-letters' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Record', 'Reason', 'Error', 'Dead-lettered', 'Replay'].map((name) =>
              h('th', {}, name),
            ),
          ),
        ),
        h('tbody', {}, page.items.map(row)),
      ),
      h('div', { class: 'pager' }, newer, older),
    );
  };

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter dead letters' },
    h('label', { for: 'dl-topic' }, 'Topic'),
    topic,
    h('label', { for: 'dl-status' }, 'Show'),
    status,
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    previous = [];
    load();
  });
  show(
    context.main,
    h('h1', {}, 'Dead letters'),
    h(
      'p',
      { class: 'lead' },
      'Records a consumer could not handle, kept with why. Fix the cause, then replay one to its source topic.',
    ),
    counts,
    form,
    results,
  );
  load();
}
