import type { Writable } from './output.js';

/** Something shown while waiting; `update` changes its text, `stop` clears it. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A spinner on stderr, only when stderr is a terminal: piped output and logs stay clean.
 * Elsewhere it does nothing.
 */
export function startProgress(stderr: Writable, text: string): Progress {
  if (stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  let frame = 0;
  let current = text;
  const draw = () => {
    stderr.write(`\r\x1b[2K${FRAMES[frame % FRAMES.length]} ${current}`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(next) {
      current = next;
    },
    stop() {
      clearInterval(timer);
      stderr.write('\r\x1b[2K');
    },
  };
}
