import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `helpdesk-token` → `BATON_SECRET_HELPDESK_TOKEN`. */
export const secretEnvName = (name: string) =>
  `BATON_SECRET_${name.toUpperCase().replace(/-/g, '_')}`;

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The deployment's secrets, by name: `BATON_SECRET_<NAME>` in the environment, else the file
 * `<name>` in `BATON_SECRETS_DIR` (a mounted Kubernetes secret: one file per key). Looked up on
 * every use, so a rotated file is read at the next call. Values never leave through this
 * class's own messages: they name the secret, never its value.
 */
export class SecretStore {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dir: string,
  ) {}

  /** The value, or undefined when the deployment does not have it (or it is empty). */
  get(name: string): string | undefined {
    // The name pattern keeps a lookup inside the directory (no `..`, no `/`).
    if (!NAME.test(name)) return undefined;
    const fromEnv = this.env[secretEnvName(name)];
    if (fromEnv) return fromEnv;
    if (!this.dir) return undefined;
    try {
      // A mounted file usually ends in a newline that is not part of the secret.
      const value = readFileSync(join(this.dir, name), 'utf8').replace(/\r?\n$/, '');
      return value || undefined;
    } catch {
      return undefined;
    }
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Where a missing secret would be looked for, for a message naming it. */
  whereFor(name: string): string {
    return `${secretEnvName(name)}${this.dir ? ` or the file ${name} in BATON_SECRETS_DIR` : ' (BATON_SECRETS_DIR is not set)'}`;
  }
}

/** Replaces every secret value in a text with `[secret]`: for errors an upstream may echo. */
export function redact(text: string, secretValues: readonly string[]): string {
  let out = text;
  // The longest first, so a secret that contains another is replaced whole.
  for (const value of [...secretValues].sort((a, b) => b.length - a.length))
    if (value) out = out.split(value).join('[secret]');
  return out;
}

/** `redact` through a JSON value: the strings of objects and lists, keys included. */
export function redactValue(value: unknown, secretValues: readonly string[]): unknown {
  if (!secretValues.length) return value;
  if (typeof value === 'string') return redact(value, secretValues);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secretValues));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        redact(key, secretValues),
        redactValue(item, secretValues),
      ]),
    );
  return value;
}
