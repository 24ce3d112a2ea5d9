import * as path from 'path';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { JOIN_TABLE_KEYS } from '../../lambdas/runtime/chain/join-store';
import { dynamoDbClient } from '../support/services';
import type { TaskDeclaration } from '../../lib/chain';

export const SLEEP_TASK_ENTRY = path.join(__dirname, '..', '..', 'lambdas', 'examples', 'chain-tasks', 'sleep.ts');

/** `count` tasks in layers of `width`: each task of a layer depends on (up to) two tasks of the layer before. */
export function layeredTasks(count: number, width = 10): TaskDeclaration[] {
  return Array.from({ length: count }, (_, i) => {
    const layer = Math.floor(i / width);
    const deps = layer === 0 ? [] : [...new Set([(layer - 1) * width + (i % width), (layer - 1) * width + ((i + 1) % width)])].map((d) => `t${d}`);
    return { name: `t${i}`, entry: SLEEP_TASK_ENTRY, dependsOn: deps };
  });
}

/** Creates a join table as TaskChain declares it (`pk`, `sk`, on demand) in DynamoDB Local. */
export async function createJoinTable(tableName: string): Promise<void> {
  await dynamoDbClient().send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: JOIN_TABLE_KEYS.partitionKey, KeyType: 'HASH' }, { AttributeName: JOIN_TABLE_KEYS.sortKey, KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: JOIN_TABLE_KEYS.partitionKey, AttributeType: 'S' }, { AttributeName: JOIN_TABLE_KEYS.sortKey, AttributeType: 'S' }],
    }),
  );
}
