import type { Command, CommandContext } from '../command.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { formatDuration } from '../format/values.js';
import { println, type Stylize } from '../output.js';
import { startProgress } from '../progress.js';
import { loadCases, type InvalidFile } from '../cases/load-cases.js';
import { CasesUnreachable, runCase, type CaseResult } from '../cases/run-case.js';
import {
  DEFAULT_MODEL_PORT,
  ModelPortBusyError,
  ScriptedModelServer,
} from '../cases/scripted-model.js';
import { optionalString, printJson, readInteger } from './shared.js';

const DEFAULT_TENANT = 'cases';
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_TIMEOUT_S = 120;
const MAX_TENANT_PREFIX = 87;

export const casesCommand: Command = {
  name: 'cases',
  summary:
    "run a workflow's cases against a running Baton, with a scripted model; pass/fail per case",
  positionals: [{ name: 'workflow' }],
  options: {
    case: {
      type: 'string',
      valueName: 'name',
      description: 'run only this case (its file name without .yaml)',
    },
    'model-port': {
      type: 'string',
      valueName: 'port',
      description: `where the scripted model listens on 127.0.0.1 (env BATON_CASES_MODEL_PORT, default ${DEFAULT_MODEL_PORT})`,
    },
    concurrency: {
      type: 'string',
      valueName: 'n',
      description: `cases run at the same time (default ${DEFAULT_CONCURRENCY})`,
    },
    tenant: {
      type: 'string',
      valueName: 'tenant',
      description: `each case runs in a tenant of its own, <tenant>-<random> (default ${DEFAULT_TENANT})`,
    },
    timeout: {
      type: 'string',
      valueName: 'seconds',
      description: `per case: how long its run may take to end or wait for review (default ${DEFAULT_TIMEOUT_S})`,
    },
    'reviewer-key': {
      type: 'string',
      valueName: 'key',
      description:
        'the key that reads runs and decides tasks (env BATON_REVIEWER_KEY; default --key, which then needs the admin role)',
    },
    record: {
      type: 'boolean',
      description:
        "run the local file's version (pinned) and record the results on the server, for its publish gate",
    },
    'keep-runs': {
      type: 'boolean',
      description: 'leave runs that wait for review open (default: cancel them once compared)',
    },
  },
  details: [
    '<workflow> is a workflow folder (workflows/billing-dispute) or a workflow id in ./workflows',
    '(BATON_WORKFLOWS_DIR). Its cases are workflows/<id>/cases/*.yaml, described in docs/cases.md:',
    'the event, the model replies the run needs, what a reviewer does, the expected outcome.',
    'Every case file is checked first; problems are listed by path and nothing runs (exit 1).',
    'The scripted model is served here, at http://127.0.0.1:<model-port>/v1: the decision service',
    'must be started with OPENAI_BASE_URL pointing at it (and any OPENAI_API_KEY). It answers each',
    'model call from the script of the run named by the x-baton-run-id header; a run asking more',
    'or fewer times than scripted fails its case.',
    'Each case runs in a tenant of its own (<tenant>-<random>, new on every invocation): effect',
    "limits count per tenant across runs, so no case, nor a re-run, counts another one's writes;",
    "a case's earlier runs share its tenant.",
    'Keys: starting runs needs a publisher key, following runs and deciding tasks a reviewer key',
    '(--reviewer-key), or one admin key for both.',
    '--record runs the version of the local definition (each event pins `workflowVersion`) and,',
    'once the whole suite ran, records the results for that version (POST',
    '/v1/workflows/{id}/versions/{v}/case-results): a publish gate that requires `cases` reads',
    'them. The version must be published with the same content (a candidate is fine).',
    'Exit code: 0 when every case passed; 1 when one failed or a case file is invalid; 3 when',
    'Baton cannot be reached. --json prints { workflow, passed, total, failed, cases: [...] }.',
  ],
  examples: [
    'baton cases billing-dispute --key $BATON_ADMIN_KEY',
    'baton cases workflows/billing-dispute --case injected-refund-all --json',
    'baton dev --cases   # first, in another terminal: Baton whose model is the scripted one',
  ],
  async run(context) {
    const { options, io } = context;
    const [workflowArg] = context.positionals as [string];
    const only = optionalString(options['case']);
    const concurrency =
      readInteger(options['concurrency'], 'concurrency', 'cases', { min: 1, max: 32 }) ??
      DEFAULT_CONCURRENCY;
    const timeoutS =
      readInteger(options['timeout'], 'timeout', 'cases', { min: 1, max: 3600 }) ??
      DEFAULT_TIMEOUT_S;
    const port = modelPort(options['model-port'], io.env);
    const tenantId = optionalString(options['tenant']) ?? DEFAULT_TENANT;
    // The trigger contract allows 100 characters; the case's own tenant adds `-<12 hex>`.
    if (tenantId.length > MAX_TENANT_PREFIX) {
      throw new UsageError(`--tenant: at most ${MAX_TENANT_PREFIX} characters`, 'cases');
    }

    const loaded = await loadCases(workflowArg, io, only);
    if (!loaded.ok && loaded.kind === 'not-found') {
      if (context.globals.json) printJson(context, { valid: false, error: loaded.message });
      println(io.stderr, `${context.style('red', 'error:')} ${loaded.message}`);
      return ExitCode.Failed;
    }
    if (!loaded.ok) {
      showInvalid(context, loaded.files);
      return ExitCode.Failed;
    }
    const { workflow, cases } = loaded;
    const record = options['record'] === true;
    if (record && only !== undefined)
      throw new UsageError('--record: records the whole suite; leave out --case', 'cases');

    const reviewerKey =
      optionalString(options['reviewer-key']) ?? (io.env['BATON_REVIEWER_KEY'] || undefined);
    const reviewer = reviewerKey ? context.client.withKey(reviewerKey) : context.client;
    // Reachable, and the key may read: otherwise say so once, before any case runs.
    await reviewer.listRuns({ limit: 1 });

    const model = new ScriptedModelServer();
    try {
      await model.start(port);
    } catch (error) {
      if (!(error instanceof ModelPortBusyError)) throw error;
      println(
        io.stderr,
        `${context.style('red', 'error:')} cannot serve the scripted model on 127.0.0.1:${port}: the port is in use (another baton cases?)`,
        context.style(
          'dim',
          'pick another with --model-port or BATON_CASES_MODEL_PORT, and point the decision service at it (OPENAI_BASE_URL=http://127.0.0.1:<port>/v1)',
        ),
      );
      return ExitCode.Failed;
    }

    const started = Date.now();
    const results: CaseResult[] = [];
    const running = new Map<string, string>();
    const progress = startProgress(io.stderr, `${workflow.id}: starting ${cases.length} cases`);
    const showProgress = () =>
      progress.update(
        `${workflow.id}: ${results.length}/${cases.length} done · ${[...running].map(([name, what]) => `${name} (${what})`).join(', ')}`,
      );
    if (!context.globals.json) {
      println(
        io.stderr,
        context.style(
          'dim',
          `${workflow.id} v${workflow.version}: ${cases.length} case${cases.length === 1 ? '' : 's'} against ${context.globals.triggerUrl}, scripted model at ${model.baseURL}, ${concurrency} at a time`,
        ),
      );
    }
    try {
      await pool(cases, concurrency, async (workflowCase) => {
        running.set(workflowCase.name, 'starting');
        const result = await runCase(workflowCase, {
          client: context.client,
          reviewer,
          model,
          workflow,
          ...(record ? { pinVersion: true } : {}),
          tenantId,
          timeoutMs: timeoutS * 1000,
          cleanUp: options['keep-runs'] !== true,
          ...(io.sleep ? { sleep: io.sleep } : {}),
          onProgress: (text) => {
            running.set(workflowCase.name, text);
            showProgress();
          },
        });
        running.delete(workflowCase.name);
        results.push(result);
        showProgress();
        if (!context.globals.json) {
          if (io.stderr.isTTY) io.stderr.write('\r\x1b[2K');
          println(io.stdout, ...formatResult(result, context.style));
        }
      });
    } catch (error) {
      if (error instanceof CasesUnreachable) throw error.unreachable;
      throw error;
    } finally {
      progress.stop();
      await model.stop();
    }

    // In the files' order, whatever order they finished in.
    const order = new Map(cases.map((c, i) => [c.name, i]));
    results.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    const failed = results.filter((r) => !r.passed);
    const recorded = record
      ? (
          await context.client.recordCaseResults(workflow.id, workflow.version, {
            digest: loaded.digest,
            cases: results.map((r) => ({ name: r.name, passed: r.passed })),
          })
        ).body
      : undefined;
    if (context.globals.json) {
      printJson(context, {
        workflow: { id: workflow.id, version: workflow.version },
        passed: failed.length === 0,
        total: results.length,
        failed: failed.length,
        durationMs: Date.now() - started,
        ...(recorded ? { recorded: recorded.id } : {}),
        cases: results,
      });
    } else {
      const took = formatDuration(Date.now() - started);
      println(
        io.stdout,
        '',
        failed.length
          ? context.style(
              'red',
              `${failed.length} of ${results.length} case${results.length === 1 ? '' : 's'} failed (${failed.map((r) => r.name).join(', ')}) in ${took}`,
            )
          : context.style(
              'green',
              `all ${results.length} case${results.length === 1 ? '' : 's'} passed in ${took}`,
            ),
      );
      if (recorded)
        println(
          io.stdout,
          context.style(
            'dim',
            `recorded for ${workflow.id} v${workflow.version} (${recorded.id}): its publish gate reads it`,
          ),
        );
      const hint = modelHint(failed, model.baseURL);
      if (hint) println(io.stderr, `${context.style('yellow', 'hint:')} ${hint}`);
    }
    return failed.length ? ExitCode.Failed : ExitCode.Ok;
  },
};

/**
 * When runs were decided without a model — the Baton under test was started without one — the
 * cases that script the model cannot pass: say how to start it so that they can.
 */
export function modelHint(failed: CaseResult[], modelUrl: string): string | undefined {
  const noModel = failed.some((result) =>
    result.differences.some((d) => /no model is configured/.test(d.actual)),
  );
  if (!noModel) return undefined;
  return `the Baton under test has no model, so the cases that script one cannot pass: start it with \`baton dev --cases\`, or give its decision service OPENAI_BASE_URL=${modelUrl} and any OPENAI_API_KEY`;
}

/** `PASS name (1.2 s)`, or `FAIL name` and one indented line per difference. */
export function formatResult(result: CaseResult, style: Stylize): string[] {
  const took = style('dim', `(${formatDuration(result.durationMs)})`);
  if (result.passed) return [`${style('green', 'PASS')} ${result.name} ${took}`];
  const run = result.runId ? style('dim', `  run ${result.runId}`) : '';
  return [
    `${style('red', 'FAIL')} ${result.name} ${took}${run}`,
    ...result.differences.map(
      (d) =>
        `    ${style('bold', d.field)}: expected ${d.expected}${style('red', `, got ${d.actual}`)}`,
    ),
  ];
}

function showInvalid(context: CommandContext, files: InvalidFile[]): void {
  if (context.globals.json) {
    printJson(context, { valid: false, files: files.map((f) => ({ ...f, ok: false })) });
    return;
  }
  const { style } = context;
  for (const file of files) {
    const count = file.problems.length;
    println(
      context.io.stdout,
      `${style('red', '✗')} ${file.file}  ${style('red', `${count} problem${count === 1 ? '' : 's'}`)}`,
      ...file.errors.map((error) => `    ${error}`),
    );
  }
  println(
    context.io.stdout,
    '',
    style(
      'red',
      `${files.length} invalid file${files.length === 1 ? '' : 's'}: no case was run (docs/cases.md)`,
    ),
  );
}

function modelPort(value: string | boolean | undefined, env: NodeJS.ProcessEnv): number {
  const given = optionalString(value);
  const raw = given ?? (env['BATON_CASES_MODEL_PORT'] || undefined);
  if (raw === undefined) return DEFAULT_MODEL_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new UsageError(
      `${given !== undefined ? '--model-port' : 'BATON_CASES_MODEL_PORT'}: expected a port from 1 to 65535`,
      'cases',
    );
  }
  return port;
}

/** Runs `work` over the items, at most `limit` at a time; the first error stops new work. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
