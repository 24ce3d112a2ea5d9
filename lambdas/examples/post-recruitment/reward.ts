import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventMarkerOptions } from '../../runtime/event-marker';
import { writeOncePerEvent } from '../../runtime/write-once';
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
 * Awards the author BEANS_PER_POST beans for the post, once per event and once per post, in one
 * request: the event's marker, the reward row and the balance increment commit in one
 * transaction guarded by "event id not seen" and "no reward row for this post yet", so the
 * balance can never be incremented twice for one post, also when a republished post comes with
 * a new event id.
 */
export async function awardBeans(
  doc: DynamoDBDocumentClient,
  tables: RewardTables,
  post: PostPublished,
  ctx: RewardContext,
  marker: EventMarkerOptions = {},
): Promise<'awarded' | 'already-awarded' | 'duplicate'> {
  const appliedAt = (ctx.now ?? new Date()).toISOString();
  const outcome = await writeOncePerEvent({ id: ctx.eventId }, [
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
  ], { ...marker, client: doc });
  if (outcome.applied) return 'awarded';
  return outcome.reason === 'duplicate' ? 'duplicate' : 'already-awarded';
}
