import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { httpProblems } from './http-checks.js';
import { parseWorkflow } from './load-workflow.js';

const billing = parseYaml(
  readFileSync(
    new URL('../../../workflows/billing-dispute/workflow.yaml', import.meta.url),
    'utf8',
  ),
) as { tools: unknown[]; context: { sources: unknown[] } };

const postAnswer = {
  name: 'post-answer',
  access: 'write',
  kind: 'http',
  description: 'Post the answer to the help desk.',
  requiredArgs: ['body'],
  method: 'POST',
  url: 'https://helpdesk.acme.example/api/tickets/{{ args.ticketId }}/answers',
  headers: { authorization: 'Bearer {{ secret.helpdesk-token }}' },
  body: { text: '{{ args.body }}', run: '{{ run.id }}' },
  response: { answerId: 'body.id' },
  retryOn: [409, '5xx'],
  timeoutMs: 5000,
};

const problemsOf = (tool: Record<string, unknown>) => {
  const problems: string[] = [];
  httpProblems('tools.9', tool, 'tool', (path, message) => problems.push(`${path}: ${message}`));
  return problems;
};

describe(httpProblems.name, () => {
  it('accepts an http write tool in a definition the loader reads whole', () => {
    const loaded = parseWorkflow(
      JSON.stringify({ ...billing, tools: [...billing.tools, postAnswer] }),
      { format: 'json' },
    );
    expect(loaded.ok ? [] : loaded.errors).toEqual([]);
  });

  it('takes a URL that starts with an endpoint, and refuses one anywhere else', () => {
    expect(
      problemsOf({ ...postAnswer, url: '{{ endpoint.helpdesk }}/api/{{ args.ticketId }}' }),
    ).toEqual([]);
    expect(problemsOf({ ...postAnswer, url: '{{ endpoint.helpdesk }}.evil.example/api' })).toEqual([
      'tools.9.url: after {{ endpoint.<name> }} comes the path (/…) or the query (?…)',
    ]);
    expect(problemsOf({ ...postAnswer, url: 'https://x.example/{{ endpoint.helpdesk }}' })).toEqual(
      [
        'tools.9.url: an endpoint ({{ endpoint.<name> }}) only starts a URL, for its scheme and host',
        'tools.9.url: "endpoint.helpdesk" is outside the scope: paths start with args, key, run, trigger',
      ],
    );
  });

  it('refuses a templated host, a secret outside the headers and paths outside the scope', () => {
    expect(
      problemsOf({
        ...postAnswer,
        url: 'https://{{ args.host }}/api?token={{ secret.helpdesk-token }}',
        body: { token: '{{ secret.helpdesk-token }}', who: '{{ evidence.customer.id }}' },
        headers: { 'Idempotency-Key': '{{ key }}' },
      }),
    ).toEqual([
      'tools.9.url: the scheme and the host are fixed: templates go in the path or the query',
      'tools.9.url: a secret goes in a header, never in the URL (URLs are logged)',
      'tools.9.headers.Idempotency-Key: Baton sends the Idempotency-Key of a write itself',
      'tools.9.body.token: a secret goes in a header, never in the body',
      'tools.9.body.who: "evidence.customer.id" is outside the scope: paths start with args, key, run, trigger',
    ]);
  });

  it('asks a GET of a read tool and no GET of a write tool, and a URL of both', () => {
    expect(problemsOf({ ...postAnswer, access: 'read' })).toEqual([
      'tools.9.method: a read tool changes nothing: its method is GET',
    ]);
    expect(problemsOf({ ...postAnswer, method: 'GET' })).toEqual([
      'tools.9.method: a write tool changes something: POST, PUT, PATCH or DELETE',
      'tools.9.body: a GET request has no body',
    ]);
    expect(problemsOf({ ...postAnswer, url: undefined, method: undefined })).toEqual([
      'tools.9.url: an http tool has a url',
      'tools.9.method: an http tool has a method',
    ]);
    expect(problemsOf({ ...postAnswer, url: 'ftp://files.acme.example/x' })).toEqual([
      'tools.9.url: an http or https URL, not ftp',
    ]);
    expect(problemsOf({ ...postAnswer, url: 'https://me:pw@helpdesk.acme.example/x' })).toEqual([
      'tools.9.url: a URL carries no user name or password: put credentials in a header, as a secret',
    ]);
  });

  it('refuses a retryOn entry that is no status', () => {
    const loaded = parseWorkflow(
      JSON.stringify({
        ...billing,
        tools: [...billing.tools, { ...postAnswer, retryOn: ['5XX', 99] }],
      }),
      { format: 'json' },
    );
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      expect.stringContaining('retryOn lists HTTP statuses (100 to 599) or classes such as "5xx"'),
    ]);
  });
});
