import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { subfolders } from './folders.js';
import type { Io } from './output.js';

/**
 * The first event type of a workflow defined in the local workflows folder
 * (`BATON_WORKFLOWS_DIR`, else `./workflows`): the pinned version, else the highest.
 * Undefined when there is no such definition; the trigger service decides what it accepts.
 */
export function localEventType(
  workflowId: string,
  version: number | undefined,
  io: Pick<Io, 'env' | 'cwd'>,
): string | undefined {
  const dir = resolve(io.cwd, io.env['BATON_WORKFLOWS_DIR'] || 'workflows');
  if (!existsSync(dir)) return undefined;
  let best: { version: number; eventType: string } | undefined;
  for (const folder of subfolders(dir)) {
    for (const name of ['workflow.yaml', 'workflow.json']) {
      const file = join(dir, folder, name);
      if (!existsSync(file)) continue;
      const definition = read(file);
      if (definition?.id !== workflowId || typeof definition.version !== 'number') continue;
      if (version !== undefined && definition.version !== version) continue;
      const eventType = definition.trigger?.eventTypes?.[0];
      if (typeof eventType !== 'string') continue;
      if (!best || definition.version > best.version) {
        best = { version: definition.version, eventType };
      }
    }
  }
  return best?.eventType;
}

interface DefinitionHead {
  id?: unknown;
  version?: unknown;
  trigger?: { eventTypes?: unknown[] };
}

function read(file: string): DefinitionHead | undefined {
  try {
    const value: unknown = parse(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' ? (value as DefinitionHead) : undefined;
  } catch {
    return undefined;
  }
}
