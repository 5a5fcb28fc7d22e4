import { createHash } from 'node:crypto';
import { canonicalJson } from '@baton/contracts';

/** SHA-256 (hex) of the canonical JSON of a definition: equal digests, equal definitions. */
export function workflowDigest(document: unknown): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}
