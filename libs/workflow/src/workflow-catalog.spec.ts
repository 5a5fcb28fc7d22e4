import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from './load-workflow.js';
import { WorkflowCatalog, type NewEntry } from './workflow-catalog.js';
import { canonicalJson } from '@baton/contracts';
import { workflowDigest } from './workflow-digest.js';

const billingText = readFileSync(
  new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
  'utf8',
);
const billing = parse(billingText) as Record<string, unknown>;

function entry(changes: Record<string, unknown>, meta: Partial<NewEntry> = {}): NewEntry {
  const loaded = parseWorkflow(JSON.stringify({ ...billing, ...changes }), { format: 'json' });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return { workflow: loaded.workflow, document: loaded.document, source: 'bundled', ...meta };
}
const published = {
  source: 'published' as const,
  publishedAt: '2026-03-01T10:00:00.000Z',
  publishedBy: 'a',
};

describe('workflowDigest', () => {
  it('is the same for the YAML file and its JSON in another key order', () => {
    const yaml = parseWorkflow(billingText, { format: 'yaml' });
    const reordered = Object.fromEntries(Object.entries(billing).reverse());
    const json = parseWorkflow(JSON.stringify(reordered), { format: 'json' });
    if (!yaml.ok || !json.ok) throw new Error('the billing definition is invalid');
    expect(workflowDigest(yaml.document)).toBe(workflowDigest(json.document));
    expect(workflowDigest({ ...billing, owner: 'someone-else@acme.example' })).not.toBe(
      workflowDigest(billing),
    );
    expect(canonicalJson({ b: [1, { d: null, c: 'x' }], a: true })).toBe(
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
  });
});

describe(WorkflowCatalog.name, () => {
  it('keeps a published version as it is: the same again is unchanged, other content is a conflict', () => {
    const catalog = new WorkflowCatalog();
    expect(catalog.add(entry({ version: 2 }, published)).outcome).toBe('added');
    expect(catalog.add(entry({ version: 2 }, published)).outcome).toBe('unchanged');
    const conflict = catalog.add(entry({ version: 2, mode: 'shadow' }, published));
    expect(conflict).toMatchObject({
      outcome: 'conflict',
      existing: { digest: workflowDigest({ ...billing, version: 2 }) },
    });
    expect(catalog.get('billing-dispute', 2)?.mode).toBe('live');
    expect(catalog.latest('billing-dispute')?.version).toBe(2);
  });

  it('lets a registry entry replace a bundled file that disagrees, and records when a bundled one was published', () => {
    const catalog = new WorkflowCatalog();
    catalog.add(entry({ version: 1 }));
    catalog.add(entry({ version: 2 }));
    const replaced = catalog.add(entry({ version: 1, mode: 'shadow' }, published));
    expect(replaced.outcome).toBe('replaced');
    expect(catalog.get('billing-dispute', 1)?.mode).toBe('shadow');
    expect(catalog.add(entry({ version: 2 }, published)).outcome).toBe('unchanged');
    expect(catalog.entry('billing-dispute', 2)).toMatchObject({
      publishedAt: published.publishedAt,
    });
    // Once published, a bundled file no longer replaces anything.
    expect(catalog.add(entry({ version: 1 })).outcome).toBe('conflict');
  });

  it('leaves a candidate out of latest until its record comes back promoted; highest counts it', () => {
    const catalog = new WorkflowCatalog();
    catalog.add(entry({ version: 1 }, published));
    catalog.add(entry({ version: 2, manualMinutes: 5 }, { ...published, candidate: true }));
    expect(catalog.latest('billing-dispute')?.version).toBe(1);
    expect(catalog.highest('billing-dispute')?.version).toBe(2);
    expect(catalog.get('billing-dispute', 2)?.manualMinutes).toBe(5);

    const promoted = catalog.add(
      entry(
        { version: 2, manualMinutes: 5 },
        { ...published, promotedAt: '2026-03-02T10:00:00.000Z', promotedBy: 'admin' },
      ),
    );
    expect(promoted.outcome).toBe('promoted');
    expect(catalog.latest('billing-dispute')?.version).toBe(2);
    expect(catalog.entry('billing-dispute', 2)).toMatchObject({ promotedBy: 'admin' });
    // The candidate record again (an older offset) does not take a promotion back.
    expect(
      catalog.add(entry({ version: 2, manualMinutes: 5 }, { ...published, candidate: true }))
        .outcome,
    ).toBe('unchanged');
    expect(catalog.latest('billing-dispute')?.version).toBe(2);
    // Promotion changes the record, never the content.
    expect(
      catalog.add(entry({ version: 2, manualMinutes: 6 }, { ...published, promotedBy: 'x' }))
        .outcome,
    ).toBe('conflict');
  });

  it('has no latest while every version of an id is a candidate', () => {
    const catalog = new WorkflowCatalog();
    catalog.add(entry({ version: 3 }, { ...published, candidate: true }));
    expect(catalog.latest('billing-dispute')).toBeUndefined();
    expect(catalog.highest('billing-dispute')?.version).toBe(3);
  });

  it('resolves a version added while a lookup waits, and gives up after the wait', async () => {
    const catalog = new WorkflowCatalog();
    const lookup = catalog.resolve('billing-dispute', 3, 10_000);
    catalog.add(entry({ version: 3 }, published));
    expect((await lookup)?.version).toBe(3);
    expect(await catalog.resolve('billing-dispute', 4, 10)).toBeUndefined();
    // Without a registry, a lookup does not wait.
    expect(await catalog.resolve('billing-dispute', 4)).toBeUndefined();
  });
});

describe('WorkflowCatalog.fromDirectory', () => {
  it('loads workflow folders that are symbolic links, like any folder', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'baton-linked-'));
    writeFileSync(join(elsewhere, 'workflow.yaml'), billingText);
    const dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
    mkdirSync(join(dir, 'not-a-workflow'));
    symlinkSync(elsewhere, join(dir, 'billing-dispute'));
    writeFileSync(join(dir, 'README.md'), 'not a folder');
    expect(
      WorkflowCatalog.fromDirectory(dir)
        .all()
        .map((w) => `${w.id}@${w.version}`),
    ).toEqual(['billing-dispute@1']);
  });
});
