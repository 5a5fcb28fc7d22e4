import { celMethod, CelScalar, listType, type CelFunc } from '@bufbuild/cel';

/**
 * Baton's own CEL methods on text, for lookups that a trailing space or a capital letter must
 * not fool, and for checks on the text a workflow sends out (docs/workflows.md#text-checks). All are
 * deterministic and bounded: they read at most MAX_TEXT characters.
 */
const MAX_TEXT = 100_000;

const clip = (text: string) => (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text);

/** Trimmed, lower-case (any script), inner whitespace collapsed, compatibility forms folded. */
export function normalizeText(text: string): string {
  return clip(text).normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const EMAIL = /^([^\s@]+)@([^\s@]+\.[^\s@]+)$/;

/**
 * An e-mail address in one canonical form: trimmed, lower-case, without a `+tag` in the local
 * part (ada+billing@example.com is ada@example.com). Text that is not an address gives "".
 */
export function normalizeEmail(text: string): string {
  const match = EMAIL.exec(normalizeText(text).replace(/^mailto:/, ''));
  if (!match) return '';
  const local = match[1]!.split('+')[0]!;
  return local ? `${local}@${match[2]!.replace(/\.$/, '')}` : '';
}

/**
 * A phone number in one canonical form: `+` and digits when it has a country code (`+`, or
 * `00` in front), else its digits. Spaces, dots, dashes, brackets and an extension are
 * dropped. Text with fewer than 6 or more than 15 digits gives "".
 */
export function normalizePhone(text: string): string {
  const main = clip(text)
    .trim()
    .split(/\s*(?:ext\.?|x|#)\s*\d+$/i)[0]!;
  if (/[^\d\s+().\-/]/.test(main)) return '';
  let digits = main.replace(/[^\d+]/g, '');
  const international = digits.startsWith('+') || digits.startsWith('00');
  digits = digits.replace(/^\+|^00/, '').replace(/\+/g, '');
  if (digits.length < 6 || digits.length > 15) return '';
  return international ? `+${digits}` : digits;
}

/** Every match of a pattern (a JavaScript regular expression) in the text, in order. */
export function citations(text: string, pattern: string): string[] {
  const expression = new RegExp(pattern, 'g');
  return [...clip(text).matchAll(expression)].map((match) => match[0]).slice(0, 1_000);
}

const URL_HOST = /\bhttps?:\/\/([^\s/?#:"'<>)\]]+)/gi;
const BARE_HOST = /\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;
// A domain written without a scheme but with a path (`evil.example/form`): a link too.
const HOST_WITH_PATH = /(?<![@\w.\/-])((?:[a-z0-9-]+\.)+[a-z]{2,})\/\S*/gi;
const EMAILS = /[^\s@<>()[\]"',;:]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/gi;

/** The hosts of the links in the text (`https://…`, `www.…`), lower-case, without `www.`. */
export function linkHosts(text: string): string[] {
  const body = clip(text);
  const withoutUrls = body.replace(URL_HOST, ' ');
  const hosts = [
    ...[...body.matchAll(URL_HOST)].map((match) => match[1]!),
    ...[...body.matchAll(BARE_HOST)].map((match) => match[0]),
    ...[...withoutUrls.matchAll(HOST_WITH_PATH)].map((match) => match[1]!),
  ];
  return [
    ...new Set(
      hosts.map((host) =>
        host
          .toLowerCase()
          .replace(/^www\./, '')
          .replace(/\.$/, ''),
      ),
    ),
  ];
}

/** The e-mail addresses in the text, in canonical form (see normalizeEmail). */
export function emailAddresses(text: string): string[] {
  return [
    ...new Set(
      [...clip(text).matchAll(EMAILS)].map((match) => normalizeEmail(match[0])).filter(Boolean),
    ),
  ];
}

/** Whether a host is one of the allowed ones or a subdomain of one. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowed.some((entry) => {
    const base = entry.toLowerCase().replace(/^www\./, '');
    return name === base || name.endsWith(`.${base}`);
  });
}

// Secrets a message must never ask for, in the languages Baton's examples meet.
const SECRET =
  /\b(pass ?words?|passcodes?|pass ?phrases?|pins?|mfa|2fa|otp|one[- ]time (?:pass)?codes?|(?:verification|security|authentication|login|sms|recovery|backup) codes?|api[- ]?keys?|secret keys?|access tokens?|private keys?|ssh keys?|credentials?|card numbers?|cvv|cvc|security answers?|passw[oö]rt(?:e|er)?|kennw[oö]rt(?:e|er)?|zugangsdaten|geheimzahl|mot de passe|mots de passe|code de v[ée]rification|contrase[ñn]as?|c[oó]digo de verificaci[oó]n)\b/i;
const REQUEST =
  /\b(send|share|give|provide|tell|e-?mail|mail|forward|reply|respond|text|type|enter|paste|post|confirm|submit|disclose|read out|dictate|what(?:'s| is| are) (?:your|the)|need (?:your|the)|let (?:me|us) know|schick\w*|send\w*|teil\w*|gib|geben|nenn\w*|mitteil\w*|brauche\w* (?:ihr|dein)\w*|envoy\w*|donn\w*|communiqu\w*|env[ií]\w*|comparte\w*|d[ée]nos|dame|necesito)\b/i;
const NEGATION =
  /\b(never|not|don't|do not|won't|will not|no one|nobody|nie|niemals|nicht|kein\w*|jamais|ne |nunca|no )\b/i;

/**
 * Whether the text asks the reader to hand over a secret: a clause (a sentence, or a part of
 * one between commas or around "but") holding a request ("send", "share", "what is your", "I
 * need your", "schicken", …) and a secret ("password", "MFA code", "API key", "Passwort", …),
 * unless the clause negates it ("never share your password"). A heuristic, tuned to fail
 * towards refusing: a person reads what it flags.
 */
export function asksForSecrets(text: string): boolean {
  return clip(text)
    .split(/(?<=[.!?\n])\s+|[,;:]\s*|\s+(?:but|however|aber|mais|pero)\s+/i)
    .some((clause) => SECRET.test(clause) && REQUEST.test(clause) && !NEGATION.test(clause));
}

const STOPWORDS: Record<string, readonly string[]> = {
  en: [
    'the',
    'and',
    'is',
    'you',
    'to',
    'of',
    'we',
    'your',
    'for',
    'that',
    'it',
    'this',
    'have',
    'with',
    'are',
    'please',
    'not',
    'be',
  ],
  de: [
    'der',
    'die',
    'das',
    'und',
    'ist',
    'ich',
    'nicht',
    'sie',
    'wir',
    'mit',
    'für',
    'auf',
    'ein',
    'eine',
    'zu',
    'den',
    'bitte',
    'ihre',
  ],
  fr: [
    'le',
    'la',
    'les',
    'et',
    'est',
    'vous',
    'nous',
    'pour',
    'une',
    'des',
    'pas',
    'que',
    'dans',
    'sur',
    'avec',
    'votre',
    'je',
    'merci',
  ],
  es: [
    'el',
    'la',
    'los',
    'las',
    'y',
    'es',
    'que',
    'usted',
    'para',
    'una',
    'por',
    'con',
    'no',
    'su',
    'del',
    'gracias',
    'nosotros',
    'pero',
  ],
  it: [
    'il',
    'che',
    'e',
    'di',
    'non',
    'per',
    'una',
    'sono',
    'con',
    'grazie',
    'lei',
    'della',
    'gli',
    'questo',
    'vostro',
    'siamo',
    'ma',
    'anche',
  ],
  nl: [
    'de',
    'het',
    'een',
    'en',
    'is',
    'niet',
    'van',
    'wij',
    'u',
    'uw',
    'voor',
    'met',
    'op',
    'dat',
    'te',
    'bedankt',
    'zijn',
    'ook',
  ],
  pt: [
    'o',
    'os',
    'que',
    'não',
    'para',
    'com',
    'uma',
    'você',
    'obrigado',
    'sua',
    'seu',
    'nós',
    'mas',
    'por',
    'da',
    'do',
    'são',
    'também',
  ],
};

/**
 * The language of the text by its most common words: `en`, `de`, `fr`, `es`, `it`, `nl`, `pt`,
 * or `und` when too few words say (fewer than three stopwords, or a tie).
 */
export function languageOf(text: string): string {
  const words = normalizeText(text).match(/\p{L}+/gu) ?? [];
  const scores = Object.entries(STOPWORDS).map(([language, stopwords]) => {
    const set = new Set(stopwords);
    return [language, words.filter((word) => set.has(word)).length] as const;
  });
  scores.sort((a, b) => b[1] - a[1]);
  const [best, second] = scores;
  if (!best || best[1] < 3 || (second && second[1] === best[1])) return 'und';
  return best[0];
}

const { STRING, BOOL } = CelScalar;
const STRINGS = listType(STRING);
const asList = (value: { values(): Iterable<unknown> }) =>
  [...value.values()].filter((item): item is string => typeof item === 'string');

/** The methods above, for the CEL environment. */
export const TEXT_FUNCTIONS: CelFunc[] = [
  celMethod('lower', STRING, [], STRING, function () {
    return clip(this).toLowerCase();
  }),
  celMethod('normalize', STRING, [], STRING, function () {
    return normalizeText(this);
  }),
  celMethod('normalizeEmail', STRING, [], STRING, function () {
    return normalizeEmail(this);
  }),
  celMethod('normalizePhone', STRING, [], STRING, function () {
    return normalizePhone(this);
  }),
  celMethod('citations', STRING, [STRING], STRINGS, function (pattern) {
    return citations(this, pattern);
  }),
  celMethod('links', STRING, [], STRINGS, function () {
    return linkHosts(this);
  }),
  celMethod('emails', STRING, [], STRINGS, function () {
    return emailAddresses(this);
  }),
  celMethod('linksOutside', STRING, [STRINGS], STRINGS, function (allowed) {
    const hosts = asList(allowed);
    return [
      ...linkHosts(this),
      ...emailAddresses(this).map((address) => address.split('@')[1]!),
    ].filter((host) => !hostAllowed(host, hosts));
  }),
  celMethod('containsAny', STRING, [STRINGS], BOOL, function (phrases) {
    const text = normalizeText(this);
    return asList(phrases).some((phrase) => text.includes(normalizeText(phrase)));
  }),
  celMethod('asksForSecrets', STRING, [], BOOL, function () {
    return asksForSecrets(this);
  }),
  celMethod('language', STRING, [], STRING, function () {
    return languageOf(this);
  }),
  celMethod('wordCount', STRING, [], CelScalar.INT, function () {
    return BigInt((normalizeText(this).match(/\p{L}[\p{L}\p{N}'-]*/gu) ?? []).length);
  }),
];
