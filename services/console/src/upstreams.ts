/** The services whose APIs the console forwards to. */
export interface Upstreams {
  trigger: string;
  escalation: string;
}

export const CONSOLE_UPSTREAMS = Symbol('baton:console-upstreams');

/** The directory holding the built single-page app (index.html, assets/). */
export const CONSOLE_ASSETS = Symbol('baton:console-assets');
