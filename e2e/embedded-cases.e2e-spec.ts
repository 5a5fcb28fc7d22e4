// Every example workflow's cases through `baton cases`, against the embedded form: the six
// services in one process (`npm start`'s entry point) over the in-process transport and PGlite,
// with the decision step pointed at the scripted model the cases command serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freeFixedPort,
  runCaseSuite,
  workflowsWithCases,
  workflowsWithGuide,
} from './support/case-suites.js';
import { EmbeddedBatonProcess } from './support/embedded-baton.js';

const withCases = workflowsWithCases();
// The examples, plus the workflow docs/first-workflow.md has a new user write.
const guide = workflowsWithGuide();

describe('workflow cases through `baton cases`, embedded Baton (one process, PGlite)', () => {
  let modelPort: number;
  let baton: EmbeddedBatonProcess;

  beforeAll(async () => {
    modelPort = await freeFixedPort();
    baton = await new EmbeddedBatonProcess({
      model: { baseUrl: `http://127.0.0.1:${modelPort}/v1`, apiKey: 'baton-cases' },
      env: { BATON_WORKFLOWS_DIR: guide.dir },
    }).start();
  }, 240_000);
  afterAll(async () => {
    if (!baton) return;
    const code = await baton.stop();
    expect(code, baton.output.slice(-4000)).toBe(0);
  }, 60_000);

  it('finds all five example workflows', () => {
    expect(withCases).toEqual(
      expect.arrayContaining([
        'billing-dispute',
        'document-intake',
        'help-desk',
        'lead-qualification',
        'weekly-briefing',
      ]),
    );
  });

  it.each(withCases)(
    'every case of %s passes',
    async (workflow) => {
      const suite = await runCaseSuite(workflow, {
        triggerUrl: baton.triggerUrl,
        escalationUrl: baton.escalationUrl,
        modelPort,
      });
      expect(suite.failures, `baton cases ${workflow} exited ${suite.code}`).toBe('');
      expect(suite.total).toBeGreaterThanOrEqual(8);
      expect(suite.code).toBe(0);
    },
    600_000,
  );

  it('passes the suite of the workflow docs/first-workflow.md walks a new user through', async () => {
    const suite = await runCaseSuite(guide.guideWorkflow, {
      triggerUrl: baton.triggerUrl,
      escalationUrl: baton.escalationUrl,
      modelPort,
    });
    expect(suite.failures, `baton cases (the guide's workflow) exited ${suite.code}`).toBe('');
    expect(suite.total).toBe(4);
    expect(suite.code).toBe(0);
  }, 300_000);
});
