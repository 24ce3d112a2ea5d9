import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PostPublished } from '../contracts/post-events';

export interface StatisticsContext {
  readonly eventId: string;
  readonly eventTime: string;
  readonly now?: Date;
}

/** Key of the row that marks a post as counted (same table, so the mark and the count commit together). */
export function countedMarkerKey(postId: string): string {
  return `counted#${postId}`;
}

/**
 * Counts the post in its author's statistics (partition key `userId`), once per post: the
 * increment and a marker row for the post commit in one transaction, conditional on the marker
 * not existing. onceByEventId in front of it is not enough on its own — a process that dies
 * after the increment but before the idempotency record is completed would count the
 * redelivered post again.
 */
export async function countPost(doc: DynamoDBDocumentClient, table: string, post: PostPublished, ctx: StatisticsContext): Promise<number> {
  const now = (ctx.now ?? new Date()).toISOString();
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: { userId: countedMarkerKey(post.postId), authorId: post.authorId, eventId: ctx.eventId, countedAt: now },
              ConditionExpression: 'attribute_not_exists(userId)',
            },
          },
          {
            Update: {
              TableName: table,
              Key: { userId: post.authorId },
              UpdateExpression: 'ADD postsCount :one SET lastPostId = :post, lastEventId = :event, lastEventTime = :time, lastAppliedAt = :now',
              ExpressionAttributeValues: { ':one': 1, ':post': post.postId, ':event': ctx.eventId, ':time': ctx.eventTime, ':now': now },
            },
          },
        ],
      }),
    );
  } catch (err) {
    const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
    if (!((err as Error).name === 'TransactionCanceledException' && reasons?.[0]?.Code === 'ConditionalCheckFailed')) throw err;
  }
  const row = await doc.send(new GetCommand({ TableName: table, Key: { userId: post.authorId }, ConsistentRead: true }));
  return Number(row.Item?.postsCount ?? 0);
}
