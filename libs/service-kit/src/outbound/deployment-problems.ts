import { secretNames, type WorkflowDefinition, type WorkflowProblem } from '@baton/workflow';
import { outboundRefusal } from './allowed-hosts.js';
import type { SecretStore } from './secret-store.js';

/** What a deployment provides that a definition may need: the hosts it may call, its secrets. */
export interface Deployment {
  allowedHosts: readonly string[];
  secrets: Pick<SecretStore, 'has' | 'whereFor'>;
}

/**
 * What a valid definition asks that this deployment cannot give: an http tool or source on a
 * host outside BATON_OUTBOUND_ALLOWED_HOSTS, a secret it does not have. Checked at publish
 * time, so such a definition never reaches a run; the host is checked again at every call.
 */
export function deploymentProblems(
  workflow: WorkflowDefinition,
  deployment: Deployment,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const check = (
    at: string,
    entry: { kind: string; url?: string; headers?: Record<string, string> },
  ) => {
    if (entry.kind !== 'http') return;
    // The origin holds no template (checked with the definition): a stand-in fills the rest.
    const refusal = outboundRefusal(
      (entry.url ?? '').replace(/\{\{[^}]*\}\}/g, 'x'),
      deployment.allowedHosts,
    );
    if (refusal) problems.push({ path: `${at}.url`, message: refusal });
    for (const name of secretNames(entry.headers))
      if (!deployment.secrets.has(name))
        problems.push({
          path: `${at}.headers`,
          message: `secret "${name}" is not set in this deployment (${deployment.secrets.whereFor(name)})`,
        });
  };
  workflow.tools.forEach((tool, i) => check(`tools.${i}`, tool));
  workflow.context.sources.forEach((source, i) => check(`context.sources.${i}`, source));
  return problems;
}
