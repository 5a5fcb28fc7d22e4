import { describe, expect, it } from 'vitest';
import { compileExpression, evaluate } from './cel.js';
import { variables } from './cel-checker.js';
import {
  asksForSecrets,
  citations,
  emailAddresses,
  languageOf,
  linkHosts,
  normalizeEmail,
  normalizePhone,
  normalizeText,
} from './text-functions.js';

describe('normalisation', () => {
  it('folds case, spaces and compatibility forms of text', () => {
    expect(normalizeText('  ACME\u00a0 Supplies  GmbH ')).toBe('acme supplies gmbh');
    expect(normalizeText('ＡＢＣ')).toBe('abc');
  });

  it('gives an e-mail address one form: trimmed, lower-case, no +tag; "" for anything else', () => {
    expect(normalizeEmail('  Ada.Lovelace+Leads@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(normalizeEmail('mailto:ops@acme.example')).toBe('ops@acme.example');
    expect(normalizeEmail('not an address')).toBe('');
    expect(normalizeEmail('+tag@example.com')).toBe('');
  });

  it('gives a phone number one form: + and digits with a country code, digits without', () => {
    expect(normalizePhone('+1 (555) 010-2000')).toBe('+15550102000');
    expect(normalizePhone('0049 30 1234 5678')).toBe('+493012345678');
    expect(normalizePhone('030/1234-5678 ext. 12')).toBe('03012345678');
    expect(normalizePhone('call me maybe')).toBe('');
    expect(normalizePhone('12')).toBe('');
  });
});

describe('text checks', () => {
  it('finds citations, link hosts and e-mail addresses', () => {
    expect(citations('See KB-12 and kb-7, also KB-12.', 'KB-[0-9]+')).toEqual(['KB-12', 'KB-12']);
    expect(
      linkHosts('Go to https://Help.Acme.example/vpn?x=1 or www.evil.example. Not ftp://x.y'),
    ).toEqual(['help.acme.example', 'evil.example']);
    expect(emailAddresses('Write to IT+vpn@Acme.example or attacker@evil.example.')).toEqual([
      'it@acme.example',
      'attacker@evil.example',
    ]);
  });

  it('flags a request for a secret, in several languages, but not a warning against sharing one', () => {
    expect(
      asksForSecrets('Please e-mail your password and MFA code to it-help@evil.example.'),
    ).toBe(true);
    expect(asksForSecrets('Reply with the one-time code we sent you.')).toBe(true);
    expect(asksForSecrets('Bitte schicken Sie uns Ihr Passwort.')).toBe(true);
    expect(asksForSecrets('Never share your password with anyone, not even IT.')).toBe(false);
    expect(asksForSecrets('You can reset your password on the portal.')).toBe(false);
    expect(asksForSecrets('Your VPN profile is attached.')).toBe(false);
  });

  it('tells the language by its common words, und when too few say', () => {
    expect(languageOf('Hello, we have reset your VPN access and it is working for you now.')).toBe(
      'en',
    );
    expect(languageOf('Ich habe das Problem mit der Rechnung und bitte um eine Antwort.')).toBe(
      'de',
    );
    expect(
      languageOf('Merci pour votre message, nous avons vérifié la facture et le compte.'),
    ).toBe('fr');
    expect(languageOf('OK')).toBe('und');
  });
});

describe('as CEL methods', () => {
  const scope = {
    args: { body: 'Send your password to help@evil.example, see https://kb.acme.example/KB-9' },
    evidence: { articles: [{ id: 'KB-9' }], lead: { email: ' Ada+x@Example.com ' } },
    trigger: { data: { email: 'ada@example.com', phone: '+44 20 7946 0000' } },
  };
  it('evaluate in expressions', () => {
    expect(evaluate('args.body.asksForSecrets()', scope)).toEqual({ ok: true, value: true });
    expect(evaluate("args.body.linksOutside(['acme.example'])", scope)).toEqual({
      ok: true,
      value: ['evil.example'],
    });
    expect(
      evaluate(
        "args.body.citations('KB-[0-9]+').all(c, c in evidence.articles.map(a, a.id))",
        scope,
      ),
    ).toEqual({ ok: true, value: true });
    expect(
      evaluate(
        'evidence.lead.email.normalizeEmail() == trigger.data.email.normalizeEmail()',
        scope,
      ),
    ).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluate('trigger.data.phone.normalizePhone()', scope)).toEqual({
      ok: true,
      value: '+442079460000',
    });
    expect(evaluate("args.body.containsAny(['ADMIN rights', 'password'])", scope)).toEqual({
      ok: true,
      value: true,
    });
    expect(evaluate('args.body.wordCount() > 5', scope)).toEqual({ ok: true, value: true });
    expect(evaluate("args.body.language() == 'en'", scope)).toEqual({ ok: true, value: false });
  });
});

describe('text methods at load', () => {
  it('refuses a citation pattern that is not a regular expression', () => {
    const compiled = compileExpression("'x'.citations('KB-[0-9')", variables({}));
    expect(!compiled.ok && compiled.problems[0]!.message).toMatch(
      /^citations\(\) needs a valid pattern: /,
    );
    expect(compileExpression("'x'.citations('KB-[0-9]+').size() == 0", variables({})).ok).toBe(
      true,
    );
  });
});

describe('text checks on the forms a model writes', () => {
  it('flags questions and needs for a secret, and a request after a warning in the same sentence', () => {
    expect(asksForSecrets('What is your password?')).toBe(true);
    expect(asksForSecrets('I need your MFA code to continue.')).toBe(true);
    expect(asksForSecrets('Never share your password, but send me your PIN.')).toBe(true);
    expect(asksForSecrets('Never share your password with anyone.')).toBe(false);
  });

  it('sees a domain with a path as a link, not an e-mail address or a file name', () => {
    expect(linkHosts('Fill in evil.example/form today.')).toEqual(['evil.example']);
    expect(linkHosts('Write to it@acme.example or open report.pdf')).toEqual([]);
  });

  it('takes a citation pattern from the definition only', () => {
    const fromRun = compileExpression(
      'args.body.citations(args.pattern).size() == 0',
      variables({}, true),
    );
    expect(!fromRun.ok && fromRun.problems[0]!.message).toBe(
      'citations() takes a pattern written in the definition (text)',
    );
  });
});
