import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeOncePerKey } from '../../runtime/write-once-per-key';
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
 * Counts the post in its author's statistics (partition key `userId`), once per post and so
 * once per event, in one request: a row marking the post as counted and the increment commit in
 * one transaction, conditional on that row not existing. A process that dies anywhere leaves
 * both or neither, so a redelivered or republished post is never counted twice; the counted row
 * is the dedupe, so no event marker is written (it would add 2 WCU and no protection).
 */
export async function countPost(
  doc: DynamoDBDocumentClient,
  table: string,
  post: PostPublished,
  ctx: StatisticsContext,
): Promise<'counted' | 'already-counted' | 'duplicate'> {
  const now = (ctx.now ?? new Date()).toISOString();
  const outcome = await writeOncePerKey({ id: ctx.eventId }, [
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
  ], { client: doc });
  if (outcome.applied) return 'counted';
  return outcome.reason === 'duplicate' ? 'duplicate' : 'already-counted';
}
