/**
 * The events of the post fan-out example: what the publisher writes and every consumer reads.
 * Publisher and consumers import them from here, never from each other's folders.
 */
import type { CloudEvent } from '../../runtime/cloudevents';

/** The CloudEvents type every post consumer subscribes to. */
export const POST_PUBLISHED = 'post.published';

/** The data of a `post.published` event. */
export interface PostPublished {
  readonly postId: string;
  readonly authorId: string;
  readonly title: string;
  /** Free-form category ("jobs", "housing", "market"…); consumers may filter on it. */
  readonly category?: string;
  /** When the post went live, ISO 8601. */
  readonly publishedAt: string;
}

export type PostPublishedEvent = CloudEvent<PostPublished>;

/** The request body is not a valid post; `field` names the offending field. */
export class InvalidPostError extends Error {
  constructor(
    readonly field: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${reason}`, options);
    this.name = 'InvalidPostError';
  }
}

/** Reads a delivered event's data back as a post; consumers throw on anything else. */
export function postOf(event: CloudEvent<unknown>): PostPublished {
  if (event.type !== POST_PUBLISHED) throw new InvalidPostError('type', `expected ${POST_PUBLISHED}, got ${JSON.stringify(event.type)}`);
  const data = event.data as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null) throw new InvalidPostError('data', 'must be an object');
  for (const field of ['postId', 'authorId', 'publishedAt'] as const) {
    if (typeof data[field] !== 'string' || data[field] === '') throw new InvalidPostError(`data.${field}`, 'must be a non-empty string');
  }
  return data as unknown as PostPublished;
}
