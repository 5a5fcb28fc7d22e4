import { ago, h, show } from '../dom.js';
import type { PageContext } from '../page.js';
import {
  replayState,
  type DeadLetterPage,
  type DeadLetterSummary,
  type DeadLetterTopic,
} from '../dead-letters.js';
import { pagedList } from './paged-list.js';

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
  const list = pagedList<DeadLetterSummary, DeadLetterPage>({
    path: 'trigger/v1/dead-letters',
    label: 'Filter dead letters',
    filters: [
      { label: 'Topic', control: topic, name: 'topic' },
      { label: 'Show', control: status, name: 'status' },
    ],
    loadingText: 'Loading dead letters…',
    emptyText: 'No dead letters match.',
    tableClass: 'runs dead-letters',
    columns: ['Record', 'Reason', 'Error', 'Dead-lettered', 'Replay'],
    row,
    onPage: (page) => {
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
    },
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
    list.form,
    list.results,
  );
  list.load();
}
