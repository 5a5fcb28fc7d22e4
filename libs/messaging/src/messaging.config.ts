import { Setting } from '@baton/config';

/** Messaging settings every service reads from its environment. */
export class MessagingConfig {
  @Setting({
    env: 'KAFKA_BROKERS',
    type: 'list',
    default: [],
    description:
      'Comma-separated Kafka bootstrap servers (`127.0.0.1:9092`). Empty: the in-process transport (single-process mode only).',
  })
  kafkaBrokers!: string[];

  @Setting({
    env: 'KAFKA_SSL',
    type: 'boolean',
    default: false,
    description:
      'Connect to the brokers over TLS (the server certificate is verified against the system CAs, or KAFKA_SSL_CA_FILE). Implied by any KAFKA_SSL_* file.',
  })
  kafkaSsl!: boolean;

  @Setting({
    env: 'KAFKA_SSL_CA_FILE',
    type: 'string',
    default: '',
    description: "PEM file of the CA that signed the brokers' certificates (a private CA).",
  })
  kafkaSslCaFile!: string;

  @Setting({
    env: 'KAFKA_SSL_CERT_FILE',
    type: 'string',
    default: '',
    description:
      'PEM client certificate, for brokers that authenticate clients by TLS (mutual TLS); with KAFKA_SSL_KEY_FILE.',
  })
  kafkaSslCertFile!: string;

  @Setting({
    env: 'KAFKA_SSL_KEY_FILE',
    type: 'string',
    default: '',
    description: 'PEM private key of KAFKA_SSL_CERT_FILE.',
  })
  kafkaSslKeyFile!: string;

  @Setting({
    env: 'KAFKA_SASL_MECHANISM',
    type: 'string',
    default: '',
    description:
      'SASL authentication to the brokers: `plain`, `scram-sha-256` or `scram-sha-512` (with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD); empty: none. Give each service its own user, so broker ACLs can limit what it may read and write (deploy/README.md).',
  })
  kafkaSaslMechanism!: string;

  @Setting({
    env: 'KAFKA_SASL_USERNAME',
    type: 'string',
    default: '',
    description: "The service's SASL user on the brokers.",
  })
  kafkaSaslUsername!: string;

  @Setting({
    env: 'KAFKA_SASL_PASSWORD',
    type: 'string',
    default: '',
    secret: true,
    description: "The SASL user's password.",
  })
  kafkaSaslPassword!: string;

  @Setting({
    env: 'BATON_SIGNING_KEY',
    type: 'string',
    default: '',
    secret: true,
    description:
      "The deployment's record signing key (at least 32 characters; `openssl rand -hex 32`), the same for every service: each record a service writes to an internal topic carries an HMAC of it (header `baton-signature`), and a service handles only records that carry a valid one, so nothing else that can write to the broker can move a run. Several keys, comma-separated, for rotation: the first signs, all verify. Required with Kafka (`KAFKA_BROKERS`); unused by the in-process transport.",
  })
  signingKey!: string;

  @Setting({
    env: 'BATON_TOPIC_PREFIX',
    type: 'string',
    default: 'baton.',
    description: 'Prefix of every Baton topic name.',
  })
  topicPrefix!: string;

  @Setting({
    env: 'BATON_CONCURRENCY',
    type: 'int',
    default: 32,
    min: 1,
    max: 10_000,
    description:
      "In-flight limit per service instance: records handled at once, across partitions. One run's steps never overlap.",
  })
  concurrency!: number;

  @Setting({
    env: 'BATON_MAX_BUFFERED',
    type: 'int',
    default: 0,
    min: 0,
    description:
      'Records fetched but not finished (running or waiting behind their run), at most; 0 means 4 x BATON_CONCURRENCY. Fetching pauses at the limit.',
  })
  maxBuffered!: number;

  @Setting({
    env: 'BATON_RETRY_MAX_ATTEMPTS',
    type: 'int',
    default: 5,
    min: 1,
    max: 100,
    description:
      'Attempts per record for transient handler failures, the first included; then the dead-letter topic.',
  })
  retryMaxAttempts!: number;

  @Setting({
    env: 'BATON_RETRY_INITIAL_DELAY_MS',
    type: 'int',
    default: 200,
    min: 0,
    description: 'Backoff before the first retry, milliseconds; doubles per attempt, with jitter.',
  })
  retryInitialDelayMs!: number;

  @Setting({
    env: 'BATON_RETRY_MAX_DELAY_MS',
    type: 'int',
    default: 10_000,
    min: 0,
    description: 'Longest backoff between retries, milliseconds.',
  })
  retryMaxDelayMs!: number;

  @Setting({
    env: 'KAFKA_SESSION_TIMEOUT_MS',
    type: 'int',
    default: 30_000,
    min: 6_000,
    description:
      'Consumer group session timeout. Handlers may run longer: heartbeats do not wait for them.',
  })
  sessionTimeoutMs!: number;

  @Setting({
    env: 'KAFKA_HEARTBEAT_INTERVAL_MS',
    type: 'int',
    default: 3_000,
    min: 100,
    description: 'Consumer heartbeat interval; keep it well under a third of the session timeout.',
  })
  heartbeatIntervalMs!: number;

  @Setting({
    env: 'KAFKA_MAX_WAIT_MS',
    type: 'int',
    default: 100,
    min: 0,
    max: 5_000,
    description:
      "Longest a fetch waits when there are no new records. A fetch returns as soon as records arrive, so this does not slow a hop (measured: docs/benchmarks.md); it bounds how long a stop or pause waits for the open fetch (kafkajs' own 5000 makes every shutdown take about 5 s).",
  })
  maxWaitTimeMs!: number;

  @Setting({
    env: 'KAFKA_PARTITIONS',
    type: 'int',
    default: 6,
    min: 1,
    description:
      'Partitions of topics Baton creates. Bounds how many instances of one service share the work.',
  })
  partitions!: number;

  @Setting({
    env: 'KAFKA_REPLICATION_FACTOR',
    type: 'int',
    default: 1,
    min: 1,
    description: 'Replication factor of topics Baton creates (3 in production).',
  })
  replicationFactor!: number;

  @Setting({
    env: 'BATON_OUTBOX_SWEEP_INTERVAL_MS',
    type: 'int',
    default: 1_000,
    min: 50,
    description: 'How often the outbox sweeper looks for messages a crash left unsent.',
  })
  outboxSweepIntervalMs!: number;

  @Setting({
    env: 'BATON_OUTBOX_SWEEP_GRACE_MS',
    type: 'int',
    default: 5_000,
    min: 0,
    description: 'Outbox rows younger than this are left to the instance that wrote them.',
  })
  outboxSweepGraceMs!: number;

  @Setting({
    env: 'BATON_INBOX_RETENTION_MS',
    type: 'int',
    default: 7 * 24 * 3600 * 1000,
    min: 60_000,
    description:
      "How long handled message ids are kept for de-duplication. Keep it above the topics' retention.",
  })
  inboxRetentionMs!: number;

  @Setting({
    env: 'BATON_DRAIN_TIMEOUT_MS',
    type: 'int',
    default: 30_000,
    min: 0,
    description:
      'On shutdown, how long in-flight records may take to finish before the process leaves its group anyway.',
  })
  drainTimeoutMs!: number;
}
