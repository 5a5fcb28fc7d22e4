import type { Principal } from './api.js';

/** What a page is given: who is signed in, where to draw, and how to go elsewhere. */
export interface PageContext {
  principal: Principal;
  main: HTMLElement;
  navigate(path: string): void;
  /** Called when the page is left: stop timers, remove key handlers. */
  onLeave(cleanup: () => void): void;
}

/** Reviewers and admins decide tasks; a publisher only starts runs. */
export function mayReview(principal: Principal): boolean {
  return principal.role === 'reviewer' || principal.role === 'admin';
}
