/** The services whose APIs the console forwards to. */
export interface Upstreams {
  trigger: string;
  escalation: string;
}

export const CONSOLE_UPSTREAMS = Symbol('baton:console-upstreams');

/** The directory holding the built single-page app (index.html, assets/). */
export const CONSOLE_ASSETS = Symbol('baton:console-assets');

/** The console's settings the page reads (GET /api/settings). */
export interface PageSettings {
  /** A run's trace, with `{traceId}` to fill in; null: no link. */
  traceUrl: string | null;
}

export const CONSOLE_SETTINGS = Symbol('baton:console-settings');
