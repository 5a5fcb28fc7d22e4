// Every example workflow's cases (workflows/<id>/cases/*.yaml) through `baton cases`, against
// the distributed system: six services as processes, real Kafka, real Postgres, and the
// scripted model the cases command serves itself.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@baton/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatonSystem } from './support/baton-system.js';
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
} from './support/case-suites.js';

// Found anew on every run: a workflow folder that gains a cases/ folder is picked up.
const withCases = workflowsWithCases();
// The example CRM of this system alone (its services inherit this process's environment): what
// lead-qualification's suite records is all it holds.
const crmFile = exampleCrmFile();
process.env['BATON_EXAMPLE_CRM_FILE'] = crmFile;

/** `baton cases` runs 4 cases at a time, each allowed 120 s: the longest a suite may take. */
const budgetMs = (workflow: string) => {
  const cases = readdirSync(join(REPO_ROOT, 'workflows', workflow, 'cases'));
  return (Math.ceil(cases.filter((f) => f.endsWith('.yaml')).length / 4) * 135 + 45) * 1000;
};

describe('workflow cases through `baton cases`, six services over Kafka', () => {
  let modelPort: number;
  let system: BatonSystem;
  let helpdesk: Awaited<ReturnType<typeof exampleHelpdesk>>;

  beforeAll(async () => {
    modelPort = await freeFixedPort();
    // The help desk help-desk answers through; its services inherit this process's environment.
    helpdesk = await exampleHelpdesk();
    Object.assign(process.env, helpdesk.env);
    system = await new BatonSystem({ modelBaseUrl: `http://127.0.0.1:${modelPort}/v1` }).start();
  }, 180_000);
  afterAll(async () => {
    await system?.stop();
    await helpdesk?.server.close();
  }, 60_000);

  it('finds the example workflows that have cases', () => {
    expect(withCases).toEqual(expect.arrayContaining(EXAMPLE_WORKFLOWS));
  });

  for (const workflow of withCases) {
    it(`every case of ${workflow} passes`, { timeout: budgetMs(workflow) }, async () => {
      const suite = await runCaseSuite(workflow, {
        triggerUrl: system.url('trigger'),
        escalationUrl: system.url('escalation'),
        modelPort,
      });
      // The failures, each with its differences, are the assertion message.
      expect(suite.failures, `baton cases ${workflow} exited ${suite.code}`).toBe('');
      expect(suite.total).toBeGreaterThanOrEqual(minimumCases(workflow));
      expect(suite.code).toBe(0);
      // What the example's tools did on the systems they reached, not only what the run says.
      if (workflow === 'lead-qualification') expect(crmLeadsProblem(crmFile)).toBe('');
      if (workflow === 'help-desk') expect(helpdeskAnswersProblem(helpdesk.server)).toBe('');
    });
  }
});
