import { describe, expect, it } from 'vitest';
import { parseEndpoints } from './endpoints.js';

describe(parseEndpoints.name, () => {
  it('reads name=URL items, dropping a trailing slash', () => {
    expect(
      parseEndpoints(['helpdesk=http://127.0.0.1:4010/', ' crm = https://crm.acme.example/api ']),
    ).toEqual({
      ok: true,
      endpoints: new Map([
        ['helpdesk', 'http://127.0.0.1:4010'],
        ['crm', 'https://crm.acme.example/api'],
      ]),
    });
  });

  it('names every bad item, never a credential', () => {
    expect(
      parseEndpoints([
        'helpdesk',
        'Help=https://x.example',
        'crm=ftp://crm.example',
        'erp=https://user:hunter2@erp.example',
        'hr=https://hr.example/?tenant=1',
        'hr=https://hr.example',
        'hr=https://hr2.example',
      ]),
    ).toEqual({
      ok: false,
      problems: [
        '"helpdesk": an endpoint is name=URL, its name lowercase letters, digits and dashes',
        '"Help": an endpoint is name=URL, its name lowercase letters, digits and dashes',
        'crm: the base URL is an absolute http or https URL',
        'erp: the base URL carries no user name or password: a credential is a secret, in a header',
        'hr: the base URL has no query or fragment',
        'hr: named twice',
      ],
    });
  });
});
