import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeOncePerKey } from '../../runtime/write-once-per-key';
import type { PostPublished } from '../contracts/post-events';

/** Days a published post stays pinned on the real-estate board. */
export const PINNED_DAYS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The post cannot be promoted; the record is retried, then dead-lettered. */
export class PromotionRejectedError extends Error {
  constructor(postId: string, reason: string, options?: ErrorOptions) {
    super(`post ${postId} cannot be pinned: ${reason}`, options);
    this.name = 'PromotionRejectedError';
  }
}

export interface PromotionContext {
  readonly eventId: string;
  readonly eventTime: string;
  readonly now?: Date;
  /**
   * Post ids starting with this prefix are rejected. A fault-injection hook for tests of
   * retries and dead-lettering; unset in the example app.
   */
  readonly rejectPostIdPrefix?: string;
}

/** When the pin ends: PINNED_DAYS after the post was published, so a redelivery computes the same value. */
export function pinnedUntil(post: PostPublished): string {
  return new Date(Date.parse(post.publishedAt) + PINNED_DAYS * DAY_MS).toISOString();
}

/**
 * Pins the post for PINNED_DAYS, once per post and so once per event, with one conditional
 * `PutItem` (1 WCU): a second delivery, or a republished post, finds the row and changes nothing.
 */
export async function pinPost(
  doc: DynamoDBDocumentClient,
  table: string,
  post: PostPublished,
  ctx: PromotionContext,
): Promise<'pinned' | 'already-pinned' | 'duplicate'> {
  if (ctx.rejectPostIdPrefix && post.postId.startsWith(ctx.rejectPostIdPrefix)) {
    throw new PromotionRejectedError(post.postId, `id starts with the rejected prefix ${JSON.stringify(ctx.rejectPostIdPrefix)}`);
  }
  const outcome = await writeOncePerKey({ id: ctx.eventId }, [
    {
      Put: {
        TableName: table,
        Item: {
          postId: post.postId,
          authorId: post.authorId,
          pinnedFrom: post.publishedAt,
          pinnedUntil: pinnedUntil(post),
          eventId: ctx.eventId,
          eventTime: ctx.eventTime,
          appliedAt: (ctx.now ?? new Date()).toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(postId)',
      },
    },
  ], { client: doc });
  if (outcome.applied) return 'pinned';
  return outcome.reason === 'duplicate' ? 'duplicate' : 'already-pinned';
}
