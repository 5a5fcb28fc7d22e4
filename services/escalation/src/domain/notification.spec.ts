import { describe, expect, it } from 'vitest';
import { webhookHost, webhookRefusal } from './notification.js';

describe(webhookRefusal.name, () => {
  const allowed = ['hooks.acme.example', '*.pager.example', '127.0.0.1', '[::1]'];

  it('allows http and https to a host the deployment names, exactly or under a *. domain', () => {
    expect(webhookRefusal('https://hooks.acme.example/escalations', allowed)).toBeUndefined();
    expect(webhookRefusal('https://HOOKS.acme.example:8443/x', allowed)).toBeUndefined();
    expect(webhookRefusal('https://eu.pager.example/x', allowed)).toBeUndefined();
    expect(webhookRefusal('http://127.0.0.1:4000/hook', allowed)).toBeUndefined();
    expect(webhookRefusal('http://[::1]:4000/hook', allowed)).toBeUndefined();
  });

  it('refuses other hosts, look-alikes, other schemes and an empty list, saying why', () => {
    expect(webhookRefusal('https://evil.example/x', allowed)).toBe(
      'host evil.example is not in BATON_NOTIFY_ALLOWED_HOSTS',
    );
    expect(webhookRefusal('https://hooks.acme.example.evil.example/x', allowed)).toMatch(
      /not in BATON_NOTIFY_ALLOWED_HOSTS/,
    );
    // `*.pager.example` is the hosts under it, not the domain itself.
    expect(webhookRefusal('https://pager.example/x', allowed)).toMatch(/not in/);
    expect(webhookRefusal('https://evilpager.example/x', allowed)).toMatch(/not in/);
    expect(webhookRefusal('ftp://hooks.acme.example/x', allowed)).toBe('ftp is not http or https');
    expect(webhookRefusal('https://hooks.acme.example/x', [])).toBe(
      'host hooks.acme.example is not allowed: BATON_NOTIFY_ALLOWED_HOSTS is empty',
    );
    expect(webhookRefusal('not a url', allowed)).toBe('not an absolute URL');
  });
});

describe(webhookHost.name, () => {
  it('gives the host alone: a webhook path may hold its secret', () => {
    expect(webhookHost('https://hooks.slack.example/services/T000/B000/XXXX')).toBe(
      'hooks.slack.example',
    );
    expect(webhookHost('http://[::1]:80/x')).toBe('::1');
    expect(webhookHost('nope')).toBeUndefined();
  });
});
