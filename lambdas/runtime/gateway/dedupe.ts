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

  /**
   * One request whatever the outcome: the conditional put claims a new notification, and when the
   * condition fails DynamoDB returns the marker that stopped it (ReturnValuesOnConditionCheckFailure),
   * so a repeated delivery is told published or in progress without a second read.
   * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
   */
  async claim(key: string, now: Date): Promise<ClaimResult> {
    const seconds = Math.floor(now.getTime() / 1000);
    try {
      await this.client.send(new PutCommand({
        TableName: this.options.tableName,
        Item: { id: key, state: 'PENDING', leaseUntil: seconds + this.leaseSeconds, expiration: seconds + this.retainSeconds },
        ConditionExpression: 'attribute_not_exists(id) OR (#state = :pending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': 'PENDING', ':now': seconds },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return 'claimed';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) && (err as Error).name !== 'ConditionalCheckFailedException') throw err;
      // The document client does not unmarshall an exception's item: it is DynamoDB JSON.
      const state = (err as { Item?: Record<string, { S?: string }> }).Item?.state?.S;
      if (state !== undefined) return state === 'PUBLISHED' ? 'published' : 'in-progress';
    }
    // An endpoint that does not return the item on a failed condition: read it.
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
