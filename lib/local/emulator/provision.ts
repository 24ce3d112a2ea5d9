import {
  AttributeDefinition, CreateTableCommand, DynamoDBClient, GlobalSecondaryIndex, LocalSecondaryIndex,
  ResourceInUseException, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Admin } from 'kafkajs';
import { setLocalVariable } from './environment';
import type { AssemblyModel, TableModel, TopicModel } from './model';
import { assemblySecrets, SecretsStandIn } from './secrets';

/**
 * Creating what an assembly declares on the local services before anything runs: its topics on
 * the broker, its tables on DynamoDB Local, its secrets in the Secrets Manager stand-in. Each step
 * keeps what already exists, so a run can start again on the same services.
 */

/** Creates the topics the broker does not have yet, and waits for their leaders. */
export async function provisionTopics(admin: Admin, topics: readonly TopicModel[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length === 0) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions > 0 ? t.partitions : 1,
      replicationFactor: 1, // one local broker
      configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
    })),
  });
}

/** Where DynamoDB Local listens, and the region its clients sign for. */
export interface TableEndpoint {
  readonly dynamodbEndpoint: string;
  /** @default us-east-1 */
  readonly region?: string;
}

/**
 * Creates each table on demand billing (a table that exists is kept as it is), with its indexes,
 * and turns its TTL on.
 */
export async function provisionTables(endpoint: TableEndpoint, tables: readonly TableModel[]): Promise<void> {
  if (tables.length === 0) return;
  const client = new DynamoDBClient({
    endpoint: endpoint.dynamodbEndpoint,
    region: endpoint.region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const t of tables) {
      try {
        await client.send(new CreateTableCommand({
          TableName: t.name,
          KeySchema: t.keySchema,
          // The template's own values: CloudFormation validated their types, the model keeps them as read.
          AttributeDefinitions: t.attributeDefinitions as AttributeDefinition[],
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: t.globalSecondaryIndexes.length ? (t.globalSecondaryIndexes as GlobalSecondaryIndex[]) : undefined,
          LocalSecondaryIndexes: t.localSecondaryIndexes.length ? (t.localSecondaryIndexes as LocalSecondaryIndex[]) : undefined,
        }));
      } catch (e) {
        if (!(e instanceof ResourceInUseException)) throw new Error(`Creating table ${t.name} (${t.stack}/${t.logicalId}): ${(e as Error).message}`, { cause: e });
      }
      if (t.ttlAttribute) {
        await client.send(new UpdateTimeToLiveCommand({ TableName: t.name, TimeToLiveSpecification: { Enabled: true, AttributeName: t.ttlAttribute } }))
          .catch(() => undefined); // already enabled, or not supported by this DynamoDB Local
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Starts the Secrets Manager stand-in with the assembly's secrets, and points every function's
 * Secrets Manager client at it.
 */
export async function provisionSecrets(model: AssemblyModel, region?: string): Promise<SecretsStandIn> {
  const secrets = await SecretsStandIn.start(assemblySecrets(model.stacks, region));
  for (const fn of model.functions) setLocalVariable(fn.environment, 'AWS_ENDPOINT_URL_SECRETS_MANAGER', secrets.url);
  return secrets;
}
