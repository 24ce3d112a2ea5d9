import { randomBytes } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { DUMMY_CREDENTIALS, LOCAL_REGION } from '../../lib/local/services';

/**
 * Helpers for `*.integ.test.ts`: the endpoints global setup put into the environment, clients
 * for them, unique names, and waiting for a condition.
 */

/** Endpoints of the services for this test run. */
export interface ServiceEndpoints {
  /** Comma-separated `host:port`. */
  readonly kafkaBrokers: string;
  /** `http://host:port`. */
  readonly dynamodbEndpoint: string;
}

/** The endpoints global setup published (or the ones the caller exported). */
export function serviceEndpoints(env: NodeJS.ProcessEnv = process.env): ServiceEndpoints {
  const kafkaBrokers = env.KAFKA_BROKERS;
  const dynamodbEndpoint = env.DYNAMODB_ENDPOINT;
  if (!kafkaBrokers || !dynamodbEndpoint) {
    throw new Error(
      'KAFKA_BROKERS and DYNAMODB_ENDPOINT are not set: integration tests must run in the jest ' +
      '`integration` project (file name *.integ.test.ts), whose global setup provides them.',
    );
  }
  return { kafkaBrokers, dynamodbEndpoint };
}

/** A kafkajs client for the test broker; quiet unless KAFKAJS_LOG is set. */
export function kafkaClient(config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'integ-test',
    brokers: serviceEndpoints().kafkaBrokers.split(','),
    logLevel: process.env.KAFKAJS_LOG ? logLevel.INFO : logLevel.NOTHING,
    ...config,
  });
}

/** A DynamoDB client for DynamoDB Local, with dummy credentials. */
export function dynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: serviceEndpoints().dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: DUMMY_CREDENTIALS,
  });
}

/** A document client over `dynamoDbClient()`. */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoDbClient());
}

/**
 * Environment for code under test that builds its own clients: Kafka bootstrap servers with no
 * auth, and the SDK's service-specific DynamoDB endpoint variable (see docs/architecture.md).
 */
export function localFunctionEnv(): Record<string, string> {
  const { kafkaBrokers, dynamodbEndpoint } = serviceEndpoints();
  return {
    KAFKA_BOOTSTRAP_SERVERS: kafkaBrokers,
    KAFKA_AUTH: 'none',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
  };
}

/** A name no other test (or engineer) uses: `<prefix>-<random hex>`, valid for topics and tables. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Creates topics (default 1 partition each) and waits until their leaders are known. */
export async function createTopics(kafka: Kafka, topics: readonly string[], numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Polls `condition` until it returns a value other than undefined/false, then returns it.
 * @throws after `timeoutMs` with `description` and the last error the condition threw.
 */
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; description?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
