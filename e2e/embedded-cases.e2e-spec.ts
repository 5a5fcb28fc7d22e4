// Every example workflow's cases through `baton cases`, against the embedded form: the six
// services in one process (`npm start`'s entry point) over the in-process transport and PGlite,
// with the decision step pointed at the scripted model the cases command serves.
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crmLeadsProblem,
  EXAMPLE_WORKFLOWS,
  exampleCrmFile,
  exampleHelpdesk,
  helpdeskAnswersProblem,
  freeFixedPort,
  minimumCases,
  runCaseSuite,
  workflowsWithCases,
  workflowsWithGuide,
} from './support/case-suites.js';
import { EmbeddedBatonProcess } from './support/embedded-baton.js';

// The examples, plus the workflow docs/first-workflow.md has a new user write.
const guide = workflowsWithGuide();
// Its suite runs as the page writes it (the last test), not as a reader's copy may have become.
const withCases = workflowsWithCases().filter(
  (workflow) => workflow !== basename(guide.guideWorkflow),
);
// The example CRM of this Baton alone: what lead-qualification's suite records is all it holds.
const crmFile = exampleCrmFile();

describe('workflow cases through `baton cases`, embedded Baton (one process, PGlite)', () => {
  let modelPort: number;
  let baton: EmbeddedBatonProcess;
  let helpdesk: Awaited<ReturnType<typeof exampleHelpdesk>>;

  beforeAll(async () => {
    modelPort = await freeFixedPort();
    helpdesk = await exampleHelpdesk();
    baton = await new EmbeddedBatonProcess({
      model: { baseUrl: `http://127.0.0.1:${modelPort}/v1`, apiKey: 'baton-cases' },
      env: { BATON_WORKFLOWS_DIR: guide.dir, BATON_EXAMPLE_CRM_FILE: crmFile, ...helpdesk.env },
    }).start();
  }, 240_000);
  afterAll(async () => {
    await helpdesk?.server.close();
    if (!baton) return;
    const code = await baton.stop();
    expect(code, baton.output.slice(-4000)).toBe(0);
  }, 60_000);

  it('finds all five example workflows', () => {
    expect(withCases).toEqual(expect.arrayContaining(EXAMPLE_WORKFLOWS));
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
      expect(suite.total).toBeGreaterThanOrEqual(minimumCases(workflow));
      expect(suite.code).toBe(0);
      // What the example's tools did on the systems they reached, not only what the run says.
      if (workflow === 'lead-qualification') expect(crmLeadsProblem(crmFile)).toBe('');
      if (workflow === 'help-desk') expect(helpdeskAnswersProblem(helpdesk.server)).toBe('');
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
