import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Folder names in `dir`, links to folders included, sorted. (The CLI keeps its own copy of
 * @baton/workflow's `subfolders` so commands that do not validate need not load that library.)
 */
export const subfolders = (dir: string): string[] =>
  readdirSync(dir)
    .filter((name) => statSync(join(dir, name), { throwIfNoEntry: false })?.isDirectory())
    .sort();
