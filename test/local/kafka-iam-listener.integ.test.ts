import * as fs from 'fs';
import {
  AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, KafkaJSProtocolError, logLevel, ResourcePatternTypes,
} from 'kafkajs';
import { signMskIamToken } from '../../lambdas/runtime/msk-iam-token';
import { accessKeyIdOf } from '../../lib/local/emulator/environment';
import { LOCAL_SECRET_ACCESS_KEY } from '../../lib/local/services';
import { createTopics, kafkaClient, uniqueName } from '../support/services';

/**
 * The broker's SASL_SSL listener stands in for MSK IAM access control: it takes the runtime's
 * MSK IAM token (checked with real HMAC-SHA256 against the local secret), names the principal
 * after the token's access key id, and applies Kafka ACLs to it.
 */
jest.setTimeout(90_000);

const REGION = 'eu-west-1';

function iamListener(): { brokers: string; ca: string } {
  const brokers = process.env.KAFKA_IAM_BROKERS;
  const caFile = process.env.KAFKA_IAM_CA_FILE;
  if (!brokers || !caFile) throw new Error('KAFKA_IAM_BROKERS / KAFKA_IAM_CA_FILE are not set: the services run without the IAM listener');
  return { brokers, ca: fs.readFileSync(caFile, 'utf8') };
}

/** A client of the IAM listener signing as `accessKeyId`, its token made `ageMs` ago. */
function iamClient(accessKeyId: string, options: { secretAccessKey?: string; ageMs?: number } = {}): Kafka {
  const { brokers, ca } = iamListener();
  return new Kafka({
    clientId: 'iam-listener-test',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [ca] },
    connectionTimeout: 5000,
    retry: { retries: 0 },
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({
        value: signMskIamToken(REGION, { accessKeyId, secretAccessKey: options.secretAccessKey ?? LOCAL_SECRET_ACCESS_KEY }, new Date(Date.now() - (options.ageMs ?? 0))).token,
      }),
    },
  });
}

async function allow(principal: string, topic: string, operations: AclOperationTypes[]): Promise<void> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: operations.map((operation) => ({
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topic,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal,
        host: '*',
        operation,
        permissionType: AclPermissionTypes.ALLOW,
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

async function publish(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ value: 'x' }] });
  } finally {
    await producer.disconnect();
  }
}

/** The broker's error under kafkajs's wrappers (a producer without retries wraps it once). */
function protocolError(error: unknown): KafkaJSProtocolError | undefined {
  for (let e = error; e instanceof Error; e = (e as Error & { cause?: unknown }).cause) {
    if (e instanceof KafkaJSProtocolError) return e;
  }
  return undefined;
}

describe('the broker IAM listener', () => {
  const accessKeyId = accessKeyIdOf(uniqueName('fn'));
  const granted = uniqueName('granted');
  const notGranted = uniqueName('not-granted');

  beforeAll(async () => {
    await createTopics(kafkaClient(), [granted, notGranted]);
    await allow(`User:${accessKeyId}`, granted, [AclOperationTypes.DESCRIBE, AclOperationTypes.WRITE]);
  });

  test('a principal publishes to a topic an ACL grants it', async () => {
    // GIVEN ACLs allowing User:<key id> to describe and write `granted`
    // WHEN it publishes with a token signed by the local secret
    // THEN the broker takes the record
    await expect(publish(iamClient(accessKeyId), granted)).resolves.toBeUndefined();
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      expect((await admin.fetchTopicOffsets(granted))[0].high).toBe('1');
    } finally {
      await admin.disconnect();
    }
  });

  test('a principal publishing to a topic no ACL grants it gets TOPIC_AUTHORIZATION_FAILED', async () => {
    // GIVEN no ACL for `notGranted`
    // WHEN the same principal publishes to it
    const error = await publish(iamClient(accessKeyId), notGranted).then(() => undefined, (e: unknown) => e);
    // THEN Kafka's authorization error, as MSK answers a publish the role's policy does not allow
    expect(protocolError(error)?.type).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  test('a token signed with another secret is refused at authentication', async () => {
    // GIVEN a token signed with a secret the broker does not hold
    // WHEN the client connects
    const error = await publish(iamClient(accessKeyId, { secretAccessKey: 'not-the-local-secret' }), granted).then(() => undefined, (e: unknown) => e);
    // THEN SASL authentication fails, naming the signature
    expect((error as Error).name).toBe('KafkaJSSASLAuthenticationError');
    expect((error as Error).message).toMatch(/Access denied: the request signature does not match/);
  });

  test('an expired token is refused at authentication', async () => {
    // GIVEN a token signed 16 minutes ago (MSK IAM tokens are valid for 15)
    const error = await publish(iamClient(accessKeyId, { ageMs: 16 * 60_000 }), granted).then(() => undefined, (e: unknown) => e);
    // THEN SASL authentication fails, naming the expiry
    expect((error as Error).name).toBe('KafkaJSSASLAuthenticationError');
    expect((error as Error).message).toMatch(/Access denied: the token expired at/);
  });
});
