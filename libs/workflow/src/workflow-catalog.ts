import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { instanceToPlain } from 'class-transformer';
import { WORKFLOW_FILES, parseWorkflow } from './load-workflow.js';
import type { WorkflowDefinition } from './workflow-definition.js';
import { workflowDigest } from './workflow-digest.js';

/** bundled: from a service's workflows folder. published: through `POST /v1/workflows`. */
export type WorkflowOrigin = 'bundled' | 'published';

/** One workflow version the catalog holds, with what the registry knows about it. */
export interface CatalogEntry {
  readonly workflow: WorkflowDefinition;
  /** The definition as plain JSON. */
  readonly document: Record<string, unknown>;
  /** SHA-256 of the canonical JSON of `document`. */
  readonly digest: string;
  readonly source: WorkflowOrigin;
  /** Set once the registry topic holds this version; absent for a bundled file not yet published. */
  readonly publishedAt?: string;
  readonly publishedBy?: string;
  /** Published as a candidate and not promoted: `latest` (what new triggers start) skips it. */
  readonly candidate?: boolean;
  /** Set once a candidate was promoted (made live). */
  readonly promotedAt?: string;
  readonly promotedBy?: string;
  /** Why the promoting admin overrode a failed publish gate. */
  readonly overrideReason?: string;
}

export type NewEntry = Omit<CatalogEntry, 'digest'> & { digest?: string };

/**
 * What `add` did. `replaced`: a registry entry took the place of a bundled file with the same
 * id and version but other content (the registry wins). `promoted`: a candidate version became
 * live (same content). `conflict`: refused, because a published version is immutable.
 */
export type AddOutcome =
  | { outcome: 'added'; entry: CatalogEntry }
  | { outcome: 'unchanged'; entry: CatalogEntry }
  | { outcome: 'promoted'; entry: CatalogEntry }
  | { outcome: 'replaced'; entry: CatalogEntry; previous: CatalogEntry }
  | { outcome: 'conflict'; existing: CatalogEntry };

/** What keeps a catalog up to date with the workflow registry (the registry follower). */
export interface CatalogFeed {
  /** Resolves once the catalog holds everything the registry held when it was called. */
  catchUp(): Promise<void>;
  /** How long a lookup of a version the catalog does not hold waits for the feed to bring it. */
  readonly lookupWaitMs: number;
}

const keyOf = (id: string, version: number) => `${id}@${version}`;

/**
 * The workflows a service knows, by id and version: its bundled files plus what the
 * workflow registry delivers. A version, once held, never changes (except that a registry
 * entry replaces a bundled file that disagrees with it).
 */
export class WorkflowCatalog {
  private readonly byKey = new Map<string, CatalogEntry>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private feed: CatalogFeed | undefined;

  constructor(workflows: WorkflowDefinition[] = []) {
    for (const workflow of workflows) {
      this.add({
        workflow,
        document: instanceToPlain(workflow),
        source: 'bundled',
      });
    }
  }

  /**
   * Loads `<dir>/<workflow>/workflow.yaml` (or `workflow.json`) for every workflow folder;
   * throws listing every error of every file.
   */
  static fromDirectory(dir: string): WorkflowCatalog {
    const problems: string[] = [];
    const catalog = new WorkflowCatalog();
    for (const name of subfolders(dir)) {
      const files = WORKFLOW_FILES.map((file) => join(dir, name, file)).filter((file) =>
        existsSync(file),
      );
      if (files.length > 1) {
        problems.push(`${join(dir, name)}: holds ${WORKFLOW_FILES.join(' and ')}; keep one`);
        continue;
      }
      const file = files[0];
      if (!file) continue;
      const loaded = parseWorkflow(readFileSync(file, 'utf8'), { fileName: file });
      if (!loaded.ok) {
        problems.push(...loaded.errors.map((e) => `${file}: ${e}`));
        continue;
      }
      const added = catalog.add({
        workflow: loaded.workflow,
        document: loaded.document,
        source: 'bundled',
      });
      if (added.outcome === 'conflict') {
        problems.push(
          `${file}: ${loaded.workflow.id} version ${loaded.workflow.version} is defined twice with different content`,
        );
      }
    }
    if (problems.length)
      throw new Error(`invalid workflow definitions:\n  - ${problems.join('\n  - ')}`);
    return catalog;
  }

  get(id: string, version: number): WorkflowDefinition | undefined {
    return this.byKey.get(keyOf(id, version))?.workflow;
  }

  /** The live version new triggers start: the highest that is not a candidate. */
  latest(id: string): WorkflowDefinition | undefined {
    return this.highestOf(id, (entry) => !entry.candidate);
  }

  /** The highest version held, candidates included: the next one to publish is one above. */
  highest(id: string): WorkflowDefinition | undefined {
    return this.highestOf(id, () => true);
  }

  all(): WorkflowDefinition[] {
    return [...this.byKey.values()].map((entry) => entry.workflow);
  }

  entry(id: string, version: number): CatalogEntry | undefined {
    return this.byKey.get(keyOf(id, version));
  }

  /** Every entry, by id then version. */
  entries(): CatalogEntry[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        a.workflow.id.localeCompare(b.workflow.id) || a.workflow.version - b.workflow.version,
    );
  }

  /**
   * Adds a version. The same id and version again with the same digest changes nothing but
   * the registry metadata (a bundled file, once published, shows when and by whom); with
   * another digest it is refused, unless a registry entry meets a bundled file not yet
   * published: the registry wins.
   */
  add(candidate: NewEntry): AddOutcome {
    // Plain JSON from here on: what the registry stores is what the digest covers.
    const document = JSON.parse(JSON.stringify(candidate.document)) as Record<string, unknown>;
    const entry: CatalogEntry = {
      ...candidate,
      document,
      digest: candidate.digest ?? workflowDigest(document),
    };
    const key = keyOf(entry.workflow.id, entry.workflow.version);
    const existing = this.byKey.get(key);
    if (!existing) {
      this.byKey.set(key, entry);
      this.notify(key);
      return { outcome: 'added', entry };
    }
    const fromRegistry = entry.publishedAt !== undefined;
    if (existing.digest === entry.digest) {
      // A candidate's record republished live: the one change a published version takes.
      if (fromRegistry && existing.candidate && !entry.candidate) {
        this.byKey.set(key, entry);
        return { outcome: 'promoted', entry };
      }
      if (fromRegistry && existing.publishedAt === undefined) {
        this.byKey.set(key, entry);
        return { outcome: 'unchanged', entry };
      }
      return { outcome: 'unchanged', entry: existing };
    }
    if (fromRegistry && existing.publishedAt === undefined) {
      this.byKey.set(key, entry);
      return { outcome: 'replaced', entry, previous: existing };
    }
    return { outcome: 'conflict', existing };
  }

  /** Connects the registry follower that keeps this catalog up to date. */
  followedBy(feed: CatalogFeed): void {
    this.feed = feed;
  }

  /** Resolves once the catalog holds everything published until now (at once without a registry). */
  async catchUp(): Promise<void> {
    await this.feed?.catchUp();
  }

  /**
   * The version, waiting up to `waitMs` (by default the feed's lookup wait) for the registry to
   * deliver it: a step of a version published a moment ago may arrive before the definition.
   */
  async resolve(
    id: string,
    version: number,
    waitMs = this.feed?.lookupWaitMs ?? 0,
  ): Promise<WorkflowDefinition | undefined> {
    const key = keyOf(id, version);
    const held = this.byKey.get(key);
    if (held || waitMs <= 0) return held?.workflow;
    await new Promise<void>((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      waiters.add(done);
    });
    return this.byKey.get(key)?.workflow;
  }

  private highestOf(
    id: string,
    include: (entry: CatalogEntry) => boolean,
  ): WorkflowDefinition | undefined {
    let best: WorkflowDefinition | undefined;
    for (const entry of this.byKey.values()) {
      const { workflow } = entry;
      if (workflow.id === id && include(entry) && (!best || workflow.version > best.version))
        best = workflow;
    }
    return best;
  }

  private notify(key: string): void {
    for (const done of [...(this.waiters.get(key) ?? [])]) done();
  }
}

/** The names of the folders in `dir`, symbolic links to folders included, sorted. */
export function subfolders(dir: string): string[] {
  const isFolder = (name: string) => statSync(join(dir, name), { throwIfNoEntry: false });
  return readdirSync(dir)
    .filter((name) => isFolder(name)?.isDirectory())
    .sort();
}
