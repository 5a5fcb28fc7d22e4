import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { MessagingConfig } from '../messaging.config.js';

/** How the Kafka client secures its connections: TLS and SASL, as kafkajs takes them. */
export interface KafkaSecurity {
  ssl?: ConnectionOptions | true;
  sasl?: SASLOptions;
}

const MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type Mechanism = (typeof MECHANISMS)[number];

export type KafkaSecurityConfig = Pick<
  MessagingConfig,
  | 'kafkaSsl'
  | 'kafkaSslCaFile'
  | 'kafkaSslCertFile'
  | 'kafkaSslKeyFile'
  | 'kafkaSaslMechanism'
  | 'kafkaSaslUsername'
  | 'kafkaSaslPassword'
>;

/**
 * The TLS and SASL options from the KAFKA_SSL* and KAFKA_SASL_* settings, or the problems with
 * them (each naming its variable), so a service with a half-set configuration does not start.
 * Files are read here, once: a missing one is a configuration problem, not a connection error.
 */
export function kafkaSecurity(
  config: KafkaSecurityConfig,
  read: (file: string) => Buffer = (file) => readFileSync(file),
): { ok: true; security: KafkaSecurity } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const security: KafkaSecurity = {};
  const file = (env: string, path: string): Buffer | undefined => {
    if (!path) return undefined;
    try {
      return read(path);
    } catch (error) {
      problems.push(
        `${env}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
      return undefined;
    }
  };
  const ca = file('KAFKA_SSL_CA_FILE', config.kafkaSslCaFile);
  const cert = file('KAFKA_SSL_CERT_FILE', config.kafkaSslCertFile);
  const key = file('KAFKA_SSL_KEY_FILE', config.kafkaSslKeyFile);
  if (Boolean(config.kafkaSslCertFile) !== Boolean(config.kafkaSslKeyFile))
    problems.push('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together: set both or neither');
  if (config.kafkaSsl || ca || cert || key)
    security.ssl =
      ca || cert || key
        ? { ...(ca ? { ca: [ca] } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) }
        : true;

  const mechanism = config.kafkaSaslMechanism.trim().toLowerCase();
  if (mechanism) {
    if (!MECHANISMS.includes(mechanism as Mechanism))
      problems.push(
        `KAFKA_SASL_MECHANISM must be one of ${MECHANISMS.join(', ')}, got ${JSON.stringify(mechanism)}`,
      );
    if (!config.kafkaSaslUsername)
      problems.push('KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM');
    if (!config.kafkaSaslPassword)
      problems.push('KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM');
    security.sasl = {
      mechanism: mechanism as Mechanism,
      username: config.kafkaSaslUsername,
      password: config.kafkaSaslPassword,
    } as SASLOptions;
  } else if (config.kafkaSaslUsername || config.kafkaSaslPassword) {
    problems.push('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD need KAFKA_SASL_MECHANISM');
  }
  return problems.length ? { ok: false, problems } : { ok: true, security };
}
