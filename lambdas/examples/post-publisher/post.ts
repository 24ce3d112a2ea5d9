import { createHash } from 'crypto';
import { createEvent } from '../../runtime/cloudevents';

export { InvalidPostError, POST_PUBLISHED, postOf, type PostPublished, type PostPublishedEvent } from '../contracts/post-events';
import { InvalidPostError, POST_PUBLISHED, type PostPublished, type PostPublishedEvent } from '../contracts/post-events';

// Ids travel as Kafka keys, DynamoDB keys and log fields: keep them short and printable.
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const MAX_TITLE = 300;
const MAX_CATEGORY = 64;

function id(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw new InvalidPostError(field, 'is required');
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new InvalidPostError(field, `must be 1-128 characters of A-Z a-z 0-9 _ . : -, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates a `POST /posts` body (already parsed JSON) into the event data. */
export function parsePost(body: unknown, now: Date = new Date()): PostPublished {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidPostError('body', 'must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const postId = id(b, 'postId');
  const authorId = id(b, 'authorId');
  if (typeof b.title !== 'string' || b.title.trim() === '' || b.title.length > MAX_TITLE) {
    throw new InvalidPostError('title', `must be a non-empty string of at most ${MAX_TITLE} characters`);
  }
  let category: string | undefined;
  if (b.category !== undefined) {
    if (typeof b.category !== 'string' || b.category === '' || b.category.length > MAX_CATEGORY) {
      throw new InvalidPostError('category', `must be a non-empty string of at most ${MAX_CATEGORY} characters when present`);
    }
    category = b.category;
  }
  const post: PostPublished = { postId, authorId, title: b.title, publishedAt: now.toISOString() };
  return category === undefined ? post : { ...post, category };
}

/** Reads the JSON body of an HTTP request, base64 or not. */
export function parseBody(body: string | undefined | null, isBase64Encoded = false): unknown {
  if (body === undefined || body === null || body === '') throw new InvalidPostError('body', 'is required (a JSON object)');
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidPostError('body', `is not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

// RFC 4122 name-based (version 5) UUIDs in a namespace of our own.
const POST_EVENT_NAMESPACE = Buffer.from('6f1c2a9e4b7d4e0a9c3b5d8e7f6a1b2c', 'hex');

/**
 * The event id of "post X was published": a version 5 UUID of the post id, so a client that
 * retries `POST /posts` after a timeout publishes the same event again (CloudEvents allows a
 * re-sent event to keep its id) and every consumer drops the copy by event id.
 */
export function postPublishedEventId(postId: string): string {
  const hash = createHash('sha1').update(POST_EVENT_NAMESPACE).update(`${POST_PUBLISHED}:${postId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `post.published` event for a post: subject (and Kafka key) is the post id; the id is derived from it unless given. */
export function postPublishedEvent(post: PostPublished, source: string, id: string = postPublishedEventId(post.postId)): PostPublishedEvent {
  return createEvent<PostPublished>({ type: POST_PUBLISHED, source, subject: post.postId, data: post, time: post.publishedAt, id });
}
