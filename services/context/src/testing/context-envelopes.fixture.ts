// Test-only: context envelopes of the billing-dispute workflow (or one derived from it), and a
// CRM stand-in for http sources.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { aContextEnvelope, type StepEnvelope } from '@baton/contracts';

export const MESSAGE = 'Hello, I was charged twice for the same month on my last invoice.';

/** A context envelope whose trigger carries `data`, for the workflow `workflowId` (version 1). */
export function contextFor(
  data: Record<string, unknown>,
  workflowId = 'billing-dispute',
): StepEnvelope<'context'> {
  const envelope = aContextEnvelope({ data });
  return { ...envelope, workflow: { id: workflowId, version: 1 } };
}

/**
 * A CRM for an http source: knows cus_1001 (`{ id, segment }`), answers 404 for anyone else;
 * `requests` lists the paths it was asked for.
 */
export async function startCrm(): Promise<{
  url: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const known = req.url === '/customers/cus_1001';
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(known ? { id: 'cus_1001', segment: 'smb' } : { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
