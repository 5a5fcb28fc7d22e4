import { describe, expect, it } from 'vitest';
import { kafkaSecurity, type KafkaSecurityConfig } from './kafka-security.js';

const none: KafkaSecurityConfig = {
  kafkaSsl: false,
  kafkaSslCaFile: '',
  kafkaSslCertFile: '',
  kafkaSslKeyFile: '',
  kafkaSaslMechanism: '',
  kafkaSaslUsername: '',
  kafkaSaslPassword: '',
};
const files: Record<string, string> = { '/ca.pem': 'CA', '/c.pem': 'CERT', '/k.pem': 'KEY' };
const read = (file: string) => {
  if (!(file in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return Buffer.from(files[file]!);
};

describe(kafkaSecurity.name, () => {
  it('is plaintext without settings, TLS with KAFKA_SSL, and reads the PEM files once', () => {
    expect(kafkaSecurity(none, read)).toEqual({ ok: true, security: {} });
    expect(kafkaSecurity({ ...none, kafkaSsl: true }, read)).toEqual({
      ok: true,
      security: { ssl: true },
    });
    const mutual = kafkaSecurity(
      { ...none, kafkaSslCaFile: '/ca.pem', kafkaSslCertFile: '/c.pem', kafkaSslKeyFile: '/k.pem' },
      read,
    );
    expect(mutual.ok && mutual.security.ssl).toEqual({
      ca: [Buffer.from('CA')],
      cert: Buffer.from('CERT'),
      key: Buffer.from('KEY'),
    });
  });

  it('takes SASL PLAIN and SCRAM with a user and password', () => {
    expect(
      kafkaSecurity(
        {
          ...none,
          kafkaSaslMechanism: 'SCRAM-SHA-512',
          kafkaSaslUsername: 'u',
          kafkaSaslPassword: 'p',
        },
        read,
      ),
    ).toEqual({
      ok: true,
      security: { sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } },
    });
  });

  it('names every problem by its variable', () => {
    expect(
      kafkaSecurity(
        {
          ...none,
          kafkaSaslMechanism: 'gssapi',
          kafkaSslCaFile: '/nope.pem',
          kafkaSslCertFile: '/c.pem',
        },
        read,
      ),
    ).toEqual({
      ok: false,
      problems: [
        'KAFKA_SSL_CA_FILE: cannot read /nope.pem (ENOENT)',
        'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both or neither',
        'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"',
        'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM',
      ],
    });
    expect(kafkaSecurity({ ...none, kafkaSaslUsername: 'u' }, read)).toMatchObject({
      ok: false,
      problems: ['KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM'],
    });
  });
});
