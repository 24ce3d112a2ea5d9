import { randomUUID } from 'crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { signedPost } from './signed-post';
import type { Emulator } from '../emulator';

/** Beans per post and pinned days, as the example consumers apply them (lambdas/examples/post-*). */
const BEANS_PER_POST = 58;
const PINNED_DAYS_MS = 2 * 24 * 60 * 60 * 1000;

/** Local names of the example consumers' effect tables. */
export interface PostEffectTables {
  readonly rewards: string;
  readonly balances: string;
  readonly pinned: string;
  readonly statistics: string;
}

/** What the three consumers did for one post (or one author). */
export interface PostEffects {
  /** Recruitment: the reward row for the post. */
  readonly reward?: Record<string, any>;
  /** Recruitment: the author's bean balance. */
  readonly beans?: number;
  /** Real estate: the pinned row for the post. */
  readonly pinned?: Record<string, any>;
  /** Second-hand: the author's statistics row. */
  readonly statistics?: Record<string, any>;
}

/** Finds the effect tables of the example consumers stack in the emulator's graph by logical id. */
export function postEffectTables(emulator: Pick<Emulator, 'tables'>, stackName?: string): PostEffectTables {
  const find = (prefix: string): string => {
    const matches = emulator.tables.filter((t) => t.logicalId.startsWith(prefix) && (stackName === undefined || t.stack === stackName));
    if (matches.length !== 1) {
      throw new Error(`expected one ${prefix}* table${stackName ? ` in ${stackName}` : ''}, found ${matches.map((t) => `${t.stack}/${t.logicalId}`).join(', ') || 'none'}`);
    }
    return matches[0].name;
  };
  return { rewards: find('RewardsTable'), balances: find('BalancesTable'), pinned: find('PinnedPostsTable'), statistics: find('UserStatisticsTable') };
}

/** Base URL of the HTTP API that serves `POST /posts` (the graph may hold other APIs). */
export function postsUrl(emulator: Pick<Emulator, 'httpUrlOf'>): string {
  const url = emulator.httpUrlOf('POST /posts');
  if (!url) throw new Error('no HTTP API serves POST /posts: is the PostPublisher stack in the assembly?');
  return url;
}

/** A document client on DynamoDB Local. */
export function localDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
}

/** Reads every consumer's effect for a post. */
export async function readPostEffects(doc: DynamoDBDocumentClient, tables: PostEffectTables, post: { postId: string; authorId: string }): Promise<PostEffects> {
  const get = async (table: string, key: Record<string, string>) => (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const [reward, balance, pinned, statistics] = await Promise.all([
    get(tables.rewards, { postId: post.postId }),
    get(tables.balances, { userId: post.authorId }),
    get(tables.pinned, { postId: post.postId }),
    get(tables.statistics, { userId: post.authorId }),
  ]);
  return { reward, beans: balance?.beans === undefined ? undefined : Number(balance.beans), pinned, statistics };
}

/** Polls `check` until it returns a value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface PostScenarioOptions {
  /** DynamoDB Local endpoint. @default the one the emulator gives its functions */
  readonly dynamodbEndpoint?: string;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** How long to wait for the consumers. @default 60000 */
  readonly timeoutMs?: number;
}

export interface PostScenarioSummary {
  readonly scenario: 'post-published';
  readonly ok: boolean;
  /** Posts published through POST /posts, with the event id the publisher answered. */
  readonly posts: Array<{ postId: string; authorId: string; eventId: string }>;
  /** Per consumer: posts whose effect is present exactly once, of the posts published. */
  readonly consumers: Record<'recruitment' | 'real-estate' | 'second-hand', { readonly exactlyOnce: number; readonly expected: number }>;
  /** The invalid post's answer (the publisher refuses it with 400 and publishes nothing). */
  readonly rejected: { status: number; field?: string };
  readonly problems: string[];
  readonly durationMs: number;
}

/**
 * The `npm start` fan-out scenario: publishes three posts (two by one author) through
 * `POST /posts`, sends one invalid post, and checks that every consumer's effect is present
 * exactly once per post: 58 beans per post, one pinned row with two days, posts counted once.
 */
export async function runPostScenario(emulator: Emulator, options: PostScenarioOptions = {}): Promise<PostScenarioSummary> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const base = postsUrl(emulator);
  const endpoint = options.dynamodbEndpoint ?? emulator.functions.map((f) => f.environment.AWS_ENDPOINT_URL_DYNAMODB).find(Boolean);
  if (!endpoint) throw new Error('no DynamoDB endpoint: pass options.dynamodbEndpoint');
  const tables = postEffectTables(emulator);
  const run = randomUUID().slice(0, 8);
  const authors = [`author-${run}-a`, `author-${run}-b`];
  const drafts = [
    { postId: `post-${run}-1`, authorId: authors[0], title: 'Senior Kafka engineer wanted', category: 'jobs' },
    { postId: `post-${run}-2`, authorId: authors[0], title: 'Two-room flat near the river', category: 'housing' },
    { postId: `post-${run}-3`, authorId: authors[1], title: 'Second-hand bicycle', category: 'market' },
  ];

  const post = async (body: unknown) => {
    const res = await signedPost(`${base}/posts`, body);
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  const problems: string[] = [];
  const posts: PostScenarioSummary['posts'] = [];
  for (const draft of drafts) {
    const res = await post(draft);
    log(`POST /posts ${draft.postId} → ${res.status}`);
    if (res.status !== 202) problems.push(`POST /posts ${draft.postId} answered ${res.status}: ${JSON.stringify(res.body)}`);
    else posts.push({ postId: draft.postId, authorId: draft.authorId, eventId: String(res.body.eventId) });
  }
  const invalid = await post({ postId: `post-${run}-bad`, authorId: authors[1] });
  log(`POST /posts without a title → ${invalid.status} (${invalid.body.message ?? ''})`);
  if (invalid.status !== 400) problems.push(`an invalid post answered ${invalid.status}, expected 400`);

  const doc = localDocumentClient(endpoint);
  const postsBy = (author: string) => posts.filter((p) => p.authorId === author).length;
  const consumers = { recruitment: 0, 'real-estate': 0, 'second-hand': 0 };
  try {
    // Wait for the last effect of each post; then check counts, which must not exceed one per post.
    await eventually('every consumer effect of every post', async () => {
      for (const p of posts) {
        const e = await readPostEffects(doc, tables, p);
        if (!e.reward || !e.pinned || !e.statistics) return undefined;
        if (Number(e.statistics.postsCount) < postsBy(p.authorId) || (e.beans ?? 0) < BEANS_PER_POST * postsBy(p.authorId)) return undefined;
      }
      return true;
    }, options.timeoutMs ?? 60_000).catch((err: Error) => problems.push(err.message));
    for (const p of posts) {
      const e = await readPostEffects(doc, tables, p);
      const n = postsBy(p.authorId);
      if (e.reward?.beans === BEANS_PER_POST && e.beans === BEANS_PER_POST * n) consumers.recruitment++;
      else problems.push(`recruitment: post ${p.postId} reward ${JSON.stringify(e.reward?.beans)}, author balance ${e.beans} (expected ${BEANS_PER_POST * n})`);
      const pinnedMs = e.pinned ? Date.parse(e.pinned.pinnedUntil) - Date.parse(e.pinned.pinnedFrom) : NaN;
      if (e.pinned?.eventId === p.eventId && pinnedMs === PINNED_DAYS_MS) consumers['real-estate']++;
      else problems.push(`real-estate: post ${p.postId} pinned ${JSON.stringify(e.pinned)}`);
      if (Number(e.statistics?.postsCount) === n) consumers['second-hand']++;
      else problems.push(`second-hand: author ${p.authorId} postsCount ${e.statistics?.postsCount} (expected ${n})`);
    }
  } finally {
    doc.destroy();
  }
  const expected = posts.length;
  const summary: PostScenarioSummary = {
    scenario: 'post-published',
    ok: problems.length === 0 && posts.length === drafts.length,
    posts,
    consumers: {
      recruitment: { exactlyOnce: consumers.recruitment, expected },
      'real-estate': { exactlyOnce: consumers['real-estate'], expected },
      'second-hand': { exactlyOnce: consumers['second-hand'], expected },
    },
    rejected: { status: invalid.status, field: invalid.body.field },
    problems,
    durationMs: Date.now() - started,
  };
  for (const [name, c] of Object.entries(summary.consumers)) log(`${name}: effect exactly once for ${c.exactlyOnce}/${c.expected} posts`);
  return summary;
}
