import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PostPublished } from '../post-publisher/post';

export interface StatisticsContext {
  readonly eventId: string;
  readonly eventTime: string;
  readonly now?: Date;
}

/**
 * Counts the post in its author's statistics (partition key `userId`). The increment itself is
 * not idempotent: the handler runs it at most once per event id (onceByEventId), which is what
 * the duplicate tests check.
 */
export async function countPost(doc: DynamoDBDocumentClient, table: string, post: PostPublished, ctx: StatisticsContext): Promise<number> {
  const out = await doc.send(
    new UpdateCommand({
      TableName: table,
      Key: { userId: post.authorId },
      UpdateExpression: 'ADD postsCount :one SET lastPostId = :post, lastEventId = :event, lastEventTime = :time, lastAppliedAt = :now',
      ExpressionAttributeValues: {
        ':one': 1,
        ':post': post.postId,
        ':event': ctx.eventId,
        ':time': ctx.eventTime,
        ':now': (ctx.now ?? new Date()).toISOString(),
      },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(out.Attributes?.postsCount ?? 0);
}
