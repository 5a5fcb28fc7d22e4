import {
  endpointName,
  secretNames,
  withEndpoint,
  type WorkflowDefinition,
  type WorkflowProblem,
} from '@baton/workflow';
import { outboundRefusal } from './allowed-hosts.js';
import { endpointLookup, parseEndpoints } from './endpoints.js';
import type { SecretStore } from './secret-store.js';

/**
 * What a deployment provides that a definition may need: the hosts it may call, the endpoints
 * it names (BATON_ENDPOINTS, as set), its secrets.
 */
export interface Deployment {
  allowedHosts: readonly string[];
  endpoints: readonly string[];
  secrets: Pick<SecretStore, 'has' | 'whereFor'>;
}

/**
 * What a valid definition asks that this deployment cannot give: an http tool or source on a
 * host outside BATON_OUTBOUND_ALLOWED_HOSTS (an endpoint's host included), an endpoint or a
 * secret it does not have. Checked at publish
 * time, so such a definition never reaches a run; the host is checked again at every call.
 */
export function deploymentProblems(
  workflow: WorkflowDefinition,
  deployment: Deployment,
): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const parsed = parseEndpoints(deployment.endpoints);
  const endpoint = endpointLookup(parsed.ok ? parsed.endpoints : new Map());
  const check = (
    at: string,
    entry: { kind: string; url?: string; headers?: Record<string, string> },
  ) => {
    if (entry.kind !== 'http') return;
    const based = withEndpoint(entry.url ?? '', endpoint);
    if (based.missing)
      problems.push({
        path: `${at}.url`,
        message: `endpoint "${endpointName(entry.url)}" is not set in this deployment (BATON_ENDPOINTS)`,
      });
    // The origin holds no template (checked with the definition): a stand-in fills the rest.
    const refusal =
      !based.missing &&
      outboundRefusal(based.url.replace(/\{\{[^}]*\}\}/g, 'x'), deployment.allowedHosts);
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
