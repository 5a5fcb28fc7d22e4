import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { sha256 } from '@baton/service-kit';
import {
  KeyDirectory,
  SESSION_COOKIE,
  endedSessionCookie,
  keyOf,
  sessionCookie,
} from './console-session.js';

const request = (headers: IncomingMessage['headers']) => ({ headers }) as IncomingMessage;

describe(KeyDirectory.name, () => {
  const directory = new KeyDirectory([
    `rita:reviewer:${sha256('rita-key').toString('hex')}`,
    `ci:publisher:${sha256('ci-key').toString('hex')}`,
  ]);

  it('names the holder and role of a configured key', () => {
    expect(directory.whoIs('rita-key')).toEqual({ name: 'rita', role: 'reviewer' });
    expect(directory.whoIs('ci-key')).toEqual({ name: 'ci', role: 'publisher' });
  });

  it('knows no other key', () => {
    expect(directory.whoIs('rita-key ')).toBeUndefined();
    expect(directory.whoIs('')).toBeUndefined();
  });
});

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Strict, and Secure unless the console is opened on loopback', () => {
    const local = sessionCookie(request({ host: '127.0.0.1:3006' }), 'k');
    expect(local).toBe(`${SESSION_COOKIE}=k; Path=/; HttpOnly; SameSite=Strict`);
    expect(sessionCookie(request({ host: 'console.acme.example' }), 'k')).toContain('; Secure');
    expect(endedSessionCookie(request({ host: 'localhost:3006' }))).toContain('Max-Age=0');
  });

  it('gives back the key it holds, among other cookies', () => {
    const cookie = sessionCookie(request({ host: 'localhost' }), 'a key;with=odd chars').split(
      ';',
    )[0];
    expect(keyOf(request({ cookie: `theme=dark; ${cookie}; other=1` }))).toBe(
      'a key;with=odd chars',
    );
    expect(keyOf(request({ cookie: 'theme=dark' }))).toBeUndefined();
    expect(keyOf(request({ cookie: `${SESSION_COOKIE}=%E0%A4%A` }))).toBeUndefined();
    expect(keyOf(request({}))).toBeUndefined();
  });
});
