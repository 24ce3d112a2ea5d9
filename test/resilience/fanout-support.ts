import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Producer } from 'kafkajs';
import { postPublishedEvent, type PostPublished } from '../../lambdas/examples/post-publisher/post';
import { eventMessage } from '../../lambdas/runtime/event-message';
import type { PostEffectTables } from '../../lib/local/scenarios/posts';
import { POSTS_TOPIC } from '../../lib/examples/post-publisher-stack';

/** `count` posts by `authors` authors, ids unique to `run`. */
export function makePosts(run: string, count: number, authors: number): PostPublished[] {
  const publishedAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    postId: `post-${run}-${i}`,
    authorId: `author-${run}-${i % authors}`,
    title: `Post ${i}`,
    category: 'jobs',
    publishedAt,
  }));
}

/** Produces the posts' `post.published` events as the publisher would (key = post id), `batch` per send. */
export async function publishPosts(producer: Producer, posts: readonly PostPublished[], batch = 500): Promise<void> {
  for (let i = 0; i < posts.length; i += batch) {
    await producer.send({
      topic: POSTS_TOPIC,
      acks: -1,
      messages: posts.slice(i, i + batch).map((p) => eventMessage(postPublishedEvent(p, 'urn:test:faults'), { key: p.postId })),
    });
  }
}

/** Every item of a table (consistent reads). */
export async function scanAll(doc: DynamoDBDocumentClient, table: string): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What the three consumers' tables hold for the posts of one run. */
export interface FanoutEffects {
  rewards: number;
  pinned: number;
  /** Beans per author. */
  beans: Record<string, number>;
  /** postsCount per author. */
  postsCount: Record<string, number>;
}

export async function fanoutEffects(doc: DynamoDBDocumentClient, tables: PostEffectTables, run: string): Promise<FanoutEffects> {
  // Marker rows (`counted#<postId>`) share the statistics table; only users' rows count here.
  const mine = (id: unknown) => typeof id === 'string' && id.includes(`-${run}-`) && !id.startsWith('counted#');
  const [rewards, pinned, balances, statistics] = await Promise.all([
    scanAll(doc, tables.rewards), scanAll(doc, tables.pinned), scanAll(doc, tables.balances), scanAll(doc, tables.statistics),
  ]);
  return {
    rewards: rewards.filter((r) => mine(r.postId)).length,
    pinned: pinned.filter((r) => mine(r.postId)).length,
    beans: Object.fromEntries(balances.filter((r) => mine(r.userId)).map((r) => [r.userId, Number(r.beans)])),
    postsCount: Object.fromEntries(statistics.filter((r) => mine(r.userId)).map((r) => [r.userId, Number(r.postsCount)])),
  };
}

/** The effects the posts must have: one reward and one pin per post, 58 beans and one count per post per author. */
export function expectedEffects(posts: readonly PostPublished[]): FanoutEffects {
  const beans: Record<string, number> = {};
  const postsCount: Record<string, number> = {};
  for (const p of posts) {
    beans[p.authorId] = (beans[p.authorId] ?? 0) + 58;
    postsCount[p.authorId] = (postsCount[p.authorId] ?? 0) + 1;
  }
  return { rewards: posts.length, pinned: posts.length, beans, postsCount };
}
