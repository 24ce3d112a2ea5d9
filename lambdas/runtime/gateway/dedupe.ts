import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ClaimResult, DedupeStore } from './handle-callback';

export interface DynamoDedupeStoreOptions {
  readonly tableName: string;
  /** How long a published notification is remembered (WeChat Pay retries for about 24 h). @default 7 days */
  readonly retainSeconds?: number;
  /** How long a claim blocks others before it counts as abandoned (longer than the function timeout). @default 60 */
  readonly leaseSeconds?: number;
}

/**
 * Dedupe markers in DynamoDB (partition key `id`, TTL attribute `expiration`). A marker is
 * PENDING while its event is being published and PUBLISHED after. A PENDING marker older than
 * the lease belongs to a container that died mid-publish and may be claimed again.
 */
export class DynamoDedupeStore implements DedupeStore {
  private readonly retainSeconds: number;
  private readonly leaseSeconds: number;

  constructor(private readonly client: DynamoDBDocumentClient, private readonly options: DynamoDedupeStoreOptions) {
    this.retainSeconds = options.retainSeconds ?? 7 * 24 * 3600;
    this.leaseSeconds = options.leaseSeconds ?? 60;
  }

  async claim(key: string, now: Date): Promise<ClaimResult> {
    const seconds = Math.floor(now.getTime() / 1000);
    try {
      await this.client.send(new PutCommand({
        TableName: this.options.tableName,
        Item: { id: key, state: 'PENDING', leaseUntil: seconds + this.leaseSeconds, expiration: seconds + this.retainSeconds },
        ConditionExpression: 'attribute_not_exists(id) OR (#state = :pending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'PENDING', ':now': seconds },
      }));
      return 'claimed';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) && (err as Error).name !== 'ConditionalCheckFailedException') throw err;
    }
    const existing = await this.client.send(new GetCommand({ TableName: this.options.tableName, Key: { id: key }, ConsistentRead: true }));
    return existing.Item?.state === 'PUBLISHED' ? 'published' : 'in-progress';
  }

  async markPublished(key: string, now: Date): Promise<void> {
    await this.client.send(new UpdateCommand({
      TableName: this.options.tableName,
      Key: { id: key },
      UpdateExpression: 'SET #state = :published, publishedAt = :at',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':published': 'PUBLISHED', ':at': now.toISOString() },
    }));
  }

  async release(key: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.options.tableName, Key: { id: key } }));
  }
}
