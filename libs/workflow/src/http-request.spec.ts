import { describe, expect, it } from 'vitest';
import { renderHttpRequest, renderUrl, secretNames } from './http-request.js';

const scope = {
  trigger: { data: { customerId: 'cus_1001', amount: 18, blank: '', tags: ['a'] } },
  args: { amount: 18, subject: 'VPN\r\nX-Evil: 1' },
  key: 'r1:3:send-answer',
};
const secrets: Record<string, string> = { 'helpdesk-token': 's3cr3t-token' };
const lookup = (name: string) => secrets[name];

describe(renderUrl.name, () => {
  it('URL-encodes every value, so trigger data cannot change the path or the query', () => {
    const evil = { trigger: { data: { customerId: '../admin?x=1&y=2#z' } } };
    expect(renderUrl('https://crm.example/customers/{{ trigger.data.customerId }}', evil)).toEqual({
      url: 'https://crm.example/customers/..%2Fadmin%3Fx%3D1%26y%3D2%23z',
      missing: [],
    });
  });

  it('starts with the deployment base URL of an endpoint, taken as it is, then the encoded values', () => {
    const endpoint = (name: string) =>
      name === 'helpdesk' ? 'http://127.0.0.1:4010/v2/' : undefined;
    expect(
      renderUrl('{{ endpoint.helpdesk }}/answers/{{ trigger.data.customerId }}', scope, endpoint),
    ).toEqual({ url: 'http://127.0.0.1:4010/v2/answers/cus_1001', missing: [] });
    expect(renderUrl('{{ endpoint.crm }}/x', scope, endpoint).missing).toEqual(['endpoint crm']);
  });

  it('names missing and non-scalar values instead of rendering them', () => {
    expect(
      renderUrl('https://x/{{ trigger.data.nothing }}/{{ trigger.data.tags }}', scope),
    ).toEqual({
      url: 'https://x//',
      missing: ['trigger.data.nothing', 'trigger.data.tags'],
    });
  });
});

describe(secretNames.name, () => {
  it('names each secret the headers refer to, once', () => {
    expect(
      secretNames({
        authorization: 'Bearer {{ secret.helpdesk-token }}',
        'x-tenant': '{{ trigger.tenantId }}',
        'x-again': '{{secret.helpdesk-token}}/{{ secret.other }}',
      }),
    ).toEqual(['helpdesk-token', 'other']);
  });
});

describe(renderHttpRequest.name, () => {
  const template = {
    method: 'POST' as const,
    url: 'https://helpdesk.example/customers/{{ trigger.data.customerId }}/answers',
    headers: {
      authorization: 'Bearer {{ secret.helpdesk-token }}',
      'x-subject': '{{ args.subject }}',
    },
    body: { amount: '{{ args.amount }}', note: 'for {{ trigger.data.customerId }}' },
  };

  it('fills in the URL, the headers (secrets too) and the JSON body, and says which secrets it carries', () => {
    expect(renderHttpRequest(template, scope, lookup)).toEqual({
      ok: true,
      request: {
        method: 'POST',
        url: 'https://helpdesk.example/customers/cus_1001/answers',
        headers: { authorization: 'Bearer s3cr3t-token', 'x-subject': 'VPN X-Evil: 1' },
        body: JSON.stringify({ amount: 18, note: 'for cus_1001' }),
        secretValues: ['s3cr3t-token'],
      },
    });
  });

  it('sends nothing when a value or a secret is missing, naming each (never a value)', () => {
    const rendered = renderHttpRequest(
      { ...template, headers: { ...template.headers, 'x-other': '{{ secret.nowhere }}' } },
      { ...scope, trigger: { data: {} } },
      lookup,
    );
    expect(rendered).toEqual({ ok: false, missing: ['trigger.data.customerId', 'secret nowhere'] });
  });

  it('has no body without a body template', () => {
    const rendered = renderHttpRequest(
      { method: 'GET', url: 'https://x.example/a' },
      scope,
      lookup,
    );
    expect(rendered).toMatchObject({ ok: true, request: { headers: {}, secretValues: [] } });
    expect(rendered.ok && 'body' in rendered.request).toBe(false);
  });
});
