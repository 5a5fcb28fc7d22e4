import { loadConfig } from '@baton/config';
import { createLogger } from '@baton/telemetry';
import { OwnKafkaBroker, expectEventually, uniqueTopic } from '@baton/testing';
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Kafka,
  ResourcePatternTypes,
  logLevel,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessagingConfig } from './messaging.config.js';
import { createTransport } from './transport/create-transport.js';
import type { KafkaTransport } from './transport/kafka.transport.js';

const ADMIN = { username: 'admin', password: 'admin-secret-1' };
const TRIGGER = { username: 'baton-trigger', password: 'trigger-secret-1' };

describe('Kafka with SASL users and ACLs (a broker of its own)', () => {
  let broker: OwnKafkaBroker;
  const prefix = `${uniqueTopic('acl')}.`;
  const allowed = `${prefix}step.context`;
  const denied = `${prefix}step.action`;
  const logger = createLogger({ service: 'acl-test', version: 't', level: 'silent' });
  const transports: KafkaTransport[] = [];
  const transportAs = (user: { username: string; password: string }, mechanism: string) => {
    const transport = createTransport(
      loadConfig(MessagingConfig, {
        KAFKA_BROKERS: broker.address,
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: user.username,
        KAFKA_SASL_PASSWORD: user.password,
      }),
      `acl-${user.username}`,
      logger,
    ) as KafkaTransport;
    transports.push(transport);
    return transport;
  };

  beforeAll(async () => {
    broker = await OwnKafkaBroker.start({
      KAFKA_SASL_USERS: `${ADMIN.username}:${ADMIN.password},${TRIGGER.username}:${TRIGGER.password}`,
      KAFKA_ACLS: 'on',
    });
    // The platform team's part: topics, and the trigger service's least-privilege ACL.
    const admin = new Kafka({
      clientId: 'acl-admin',
      brokers: [broker.address],
      sasl: { mechanism: 'plain', ...ADMIN },
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: allowed }, { topic: denied }] });
      await admin.createAcls({
        acl: [
          {
            resourceType: AclResourceTypes.TOPIC,
            resourceName: allowed,
            resourcePatternType: ResourcePatternTypes.LITERAL,
            principal: `User:${TRIGGER.username}`,
            host: '*',
            operation: AclOperationTypes.WRITE,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all(transports.map((t) => t.close().catch(() => undefined)));
    await broker?.remove();
  }, 60_000);

  it('lets a service in with its SCRAM user and writes only where its ACL allows', async () => {
    const trigger = transportAs(TRIGGER, 'scram-sha-256');
    // An ACL reaches the broker's authorizer through the metadata log, a moment after it is made.
    await expectEventually(() => trigger.publish([{ topic: allowed, key: 'k', value: '{}' }]), {
      timeoutMs: 30_000,
    });
    await expect(trigger.publish([{ topic: denied, key: 'k', value: '{}' }])).rejects.toThrow(
      /not authorized|authorization/i,
    );
  }, 120_000);

  it('refuses a wrong password at connection', async () => {
    const intruder = transportAs({ ...TRIGGER, password: 'guessed-password' }, 'scram-sha-512');
    await expect(intruder.connect()).rejects.toThrow(/authentication failed/i);
  }, 120_000);
});
