import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeOncePerKey } from '../../runtime/write-once-per-key';
import type { PostPublished } from '../contracts/post-events';

/** Beans the recruitment programme awards an author per published post. */
export const BEANS_PER_POST = 58;

export interface RewardTables {
  /** One row per post (partition key `postId`): the award itself, so duplicates can be checked. */
  readonly rewards: string;
  /** One row per user (partition key `userId`) with the running `beans` balance. */
  readonly balances: string;
}

export interface RewardContext {
  readonly eventId: string;
  /** The event's `time`: when the publisher published. */
  readonly eventTime: string;
  readonly now?: Date;
}

/**
 * Awards the author BEANS_PER_POST beans for the post, once per post and so once per event, in
 * one request: the reward row and the balance increment commit in one transaction guarded by
 * "no reward row for this post yet", so the balance can never be incremented twice for one
 * post, whether the event is redelivered or the post republished under a new event id. The
 * reward row is the dedupe: an event marker would add a transaction item (2 WCU) and no
 * protection (bench/requests-per-event.ts).
 */
export async function awardBeans(
  doc: DynamoDBDocumentClient,
  tables: RewardTables,
  post: PostPublished,
  ctx: RewardContext,
): Promise<'awarded' | 'already-awarded' | 'duplicate'> {
  const appliedAt = (ctx.now ?? new Date()).toISOString();
  const outcome = await writeOncePerKey({ id: ctx.eventId }, [
    {
      Put: {
        TableName: tables.rewards,
        Item: { postId: post.postId, authorId: post.authorId, beans: BEANS_PER_POST, eventId: ctx.eventId, eventTime: ctx.eventTime, appliedAt },
        ConditionExpression: 'attribute_not_exists(postId)',
      },
    },
    {
      Update: {
        TableName: tables.balances,
        Key: { userId: post.authorId },
        UpdateExpression: 'ADD beans :beans SET updatedAt = :now',
        ExpressionAttributeValues: { ':beans': BEANS_PER_POST, ':now': appliedAt },
      },
    },
  ], { client: doc });
  if (outcome.applied) return 'awarded';
  return outcome.reason === 'duplicate' ? 'duplicate' : 'already-awarded';
}
