import { api } from '../api.js';
import { h, show, time } from '../dom.js';
import type { PageContext } from '../page.js';
import { traceLink } from '../runs.js';
import { reasonHelp, replayState, shownValue, type DeadLetterDetail } from '../dead-letters.js';
import { failure, loading } from './states.js';

function field(name: string, value: string | number | null): HTMLElement[] {
  return [h('dt', {}, name), h('dd', {}, value === null ? '—' : String(value))];
}

/**
 * One dead letter (admins): where it lies, why, the record itself, and the replay that sends
 * it back to its source topic as it was.
 */
export function renderDeadLetter(context: PageContext, id: string): void {
  let traceUrl: string | null = null;
  const draw = (letter: DeadLetterDetail, note?: HTMLElement) => {
    const status = h('div', { role: 'status', id: 'replay-status' }, note);
    const button = h('button', { type: 'button', id: 'replay' }, 'Replay to its source topic');
    button.addEventListener('click', () => {
      button.disabled = true;
      api<DeadLetterDetail>(
        'POST',
        `trigger/v1/dead-letters/${encodeURIComponent(id)}/replay`,
      ).then(
        (replayed) =>
          draw(
            replayed,
            h(
              'p',
              { class: 'state done' },
              `Sent back to ${replayed.sourceTopic}. If its cause is not fixed, it is dead-lettered again and shows here as a new record.`,
            ),
          ),
        (error: unknown) => {
          button.disabled = false;
          show(status, failure(error));
        },
      );
    });
    const trace = traceLink(traceUrl, letter.traceId);
    const headers = Object.entries(letter.headers);
    show(
      context.main,
      h('p', {}, h('a', { href: '/dead-letters' }, '← Dead letters')),
      h('h1', {}, 'Dead letter'),
      h(
        'dl',
        { class: 'fields' },
        field('Lies in', `${letter.topic} @ ${letter.partition}/${letter.offset}`),
        field('Goes back to', letter.sourceTopic),
        field('Reason', letter.reason),
        field('Consumer', letter.consumer),
        field('Attempts', letter.attempts),
        field('Dead-lettered', time(letter.failedAt)),
        field('Key', letter.key),
        field('Size', letter.size === null ? null : `${letter.size} bytes`),
        field('Replays', replayState(letter)),
      ),
      h('p', { class: 'reason', 'data-reason': letter.reason }, reasonHelp(letter.reason)),
      letter.errors.length > 0 &&
        h(
          'section',
          { 'aria-label': 'Errors' },
          h('h2', {}, 'What failed'),
          h(
            'ul',
            { class: 'problems', id: 'dl-errors' },
            letter.errors.map((e) => h('li', {}, e)),
          ),
        ),
      trace &&
        h('p', {}, h('a', { href: trace, id: 'trace-link', rel: 'noreferrer' }, 'Open the trace')),
      h(
        'section',
        { 'aria-label': 'Record' },
        h('h2', {}, `The record (${letter.valueFormat})`),
        h('pre', { id: 'dl-value' }, shownValue(letter)),
        headers.length > 0 &&
          h(
            'table',
            { class: 'args' },
            h('thead', {}, h('tr', {}, h('th', {}, 'Header'), h('th', {}, 'Value'))),
            h(
              'tbody',
              {},
              headers.map(([name, value]) => h('tr', {}, h('td', {}, name), h('td', {}, value))),
            ),
          ),
      ),
      h('div', { class: 'panel' }, button, status),
    );
  };
  show(context.main, loading('Loading the dead letter…'));
  Promise.all([
    api<DeadLetterDetail>('GET', `trigger/v1/dead-letters/${encodeURIComponent(id)}`),
    api<{ traceUrl: string | null }>('GET', 'settings'),
  ]).then(
    ([letter, settings]) => {
      traceUrl = settings.traceUrl;
      draw(letter);
    },
    (error: unknown) =>
      show(
        context.main,
        failure(error, () => renderDeadLetter(context, id)),
      ),
  );
}
