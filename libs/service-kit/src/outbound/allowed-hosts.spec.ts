import { describe, expect, it } from 'vitest';
import { hostAllowed, outboundRefusal } from './allowed-hosts.js';

describe(hostAllowed.name, () => {
  const list = ['helpdesk.acme.example', '*.crm.example', '127.0.0.1', '[::1]'];

  it('matches a host exactly or under a wildcard domain, whatever the case', () => {
    expect(hostAllowed('helpdesk.acme.example', list)).toBe(true);
    expect(hostAllowed('HelpDesk.Acme.Example', list)).toBe(true);
    expect(hostAllowed('eu.api.crm.example', list)).toBe(true);
    expect(hostAllowed('127.0.0.1', list)).toBe(true);
    expect(hostAllowed('::1', list)).toBe(true);
  });

  it('does not match a look-alike, a parent domain or a suffix that is no subdomain', () => {
    expect(hostAllowed('crm.example', list)).toBe(false);
    expect(hostAllowed('evilcrm.example', list)).toBe(false);
    expect(hostAllowed('helpdesk.acme.example.evil.example', list)).toBe(false);
    expect(hostAllowed('127.0.0.2', list)).toBe(false);
    expect(hostAllowed('anything', [])).toBe(false);
  });
});

describe(outboundRefusal.name, () => {
  it('allows http and https to a listed host, on any port', () => {
    expect(outboundRefusal('http://127.0.0.1:4010/answers', ['127.0.0.1'])).toBeUndefined();
    expect(outboundRefusal('https://a.crm.example/x?y=1', ['*.crm.example'])).toBeUndefined();
  });

  it('says why a request is not sent: another host, an empty list, another scheme', () => {
    expect(outboundRefusal('https://evil.example/x', ['127.0.0.1'])).toBe(
      'host evil.example is not in BATON_OUTBOUND_ALLOWED_HOSTS',
    );
    expect(outboundRefusal('https://evil.example/x', [])).toBe(
      'host evil.example is not allowed: BATON_OUTBOUND_ALLOWED_HOSTS is empty (no outbound HTTP)',
    );
    expect(outboundRefusal('file:///etc/passwd', ['*'])).toBe('file is not http or https');
    expect(outboundRefusal('not a url', ['*'])).toBe('not an absolute URL');
  });
});
