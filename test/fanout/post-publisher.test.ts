import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { closeProducer } from '../../lambdas/runtime/producer';
import { handler } from '../../lambdas/examples/post-publisher';
import { InvalidPostError, parsePost, POST_PUBLISHED, postOf, postPublishedEvent, postPublishedEventId } from '../../lambdas/examples/post-publisher/post';

function request(body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /posts',
    rawPath: '/posts',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  };
}

describe('post validation', () => {
  const now = new Date('2026-11-24T08:00:00.000Z');

  test('GIVEN a complete post WHEN parsed THEN the data carries the publish time', () => {
    // WHEN
    const post = parsePost({ postId: 'p-1', authorId: 'u-1', title: 'Senior Kafka engineer', category: 'jobs' }, now);
    // THEN
    expect(post).toEqual({ postId: 'p-1', authorId: 'u-1', title: 'Senior Kafka engineer', category: 'jobs', publishedAt: '2026-11-24T08:00:00.000Z' });
  });

  test.each([
    [{ authorId: 'u-1', title: 't' }, /postId: is required/],
    [{ postId: 'has space', authorId: 'u-1', title: 't' }, /postId: must be 1-128 characters/],
    [{ postId: 'p', title: 't' }, /authorId: is required/],
    [{ postId: 'p', authorId: 'u', title: '  ' }, /title: must be a non-empty string/],
    [{ postId: 'p', authorId: 'u', title: 'x'.repeat(301) }, /title: .*at most 300/],
    [{ postId: 'p', authorId: 'u', title: 't', category: 7 }, /category: must be a non-empty string/],
    [[1, 2], /body: must be a JSON object/],
  ])('GIVEN %j WHEN parsed THEN the error names the field', (body, message) => {
    expect(() => parsePost(body, now)).toThrow(message);
    expect(() => parsePost(body, now)).toThrow(InvalidPostError);
  });

  test('GIVEN a post WHEN its event is built THEN it is a post.published CloudEvent with the post id as subject, readable back by consumers', () => {
    // GIVEN
    const post = parsePost({ postId: 'p-9', authorId: 'u-2', title: 'Sofa' }, now);
    // WHEN
    const event = decodeEvent(encodeEvent(postPublishedEvent(post, 'urn:test')));
    // THEN
    expect(event).toMatchObject({ specversion: '1.0', type: POST_PUBLISHED, subject: 'p-9', source: 'urn:test', time: post.publishedAt });
    expect(postOf(event)).toEqual(post);
  });

  test('GIVEN the same post published twice WHEN events are built THEN they share one version 5 UUID, distinct from other posts', () => {
    const a = postPublishedEvent(parsePost({ postId: 'p-1', authorId: 'u', title: 't' }, now), 'urn:test');
    const retry = postPublishedEvent(parsePost({ postId: 'p-1', authorId: 'u', title: 't' }, new Date(now.getTime() + 5000)), 'urn:test');
    const other = postPublishedEvent(parsePost({ postId: 'p-2', authorId: 'u', title: 't' }, now), 'urn:test');
    expect(retry.id).toBe(a.id);
    expect(a.id).toBe(postPublishedEventId('p-1'));
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(other.id).not.toBe(a.id);
  });

  test('GIVEN an event of another type WHEN a consumer reads it THEN it throws naming the type', () => {
    const other = { ...postPublishedEvent(parsePost({ postId: 'p', authorId: 'u', title: 't' }), 'urn:test'), type: 'post.deleted' };
    expect(() => postOf(other)).toThrow(/type: expected post.published, got "post.deleted"/);
  });
});

describe('publisher handler', () => {
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    await closeProducer();
  });

  test('GIVEN a body missing the title WHEN posted THEN 400 names the field and nothing is published', async () => {
    // GIVEN no reachable broker at all: a publish attempt would fail with 503, not 400
    process.env.TOPIC_NAME = 'posts';
    process.env.KAFKA_BOOTSTRAP_SERVERS = '127.0.0.1:1';
    process.env.KAFKA_AUTH = 'none';
    // WHEN
    const response = await handler(request({ postId: 'p-1', authorId: 'u-1' }));
    // THEN
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body as string)).toEqual({ message: 'invalid post: title: must be a non-empty string of at most 300 characters', field: 'title' });
  });

  test('GIVEN a body that is not JSON WHEN posted THEN 400 names the body', async () => {
    const response = await handler(request('{"postId":'));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body as string).field).toBe('body');
  });

  test('GIVEN an unreachable broker WHEN a valid post is posted THEN the publish failure surfaces as 503', async () => {
    // GIVEN
    process.env.TOPIC_NAME = 'posts';
    process.env.KAFKA_BOOTSTRAP_SERVERS = '127.0.0.1:1';
    process.env.KAFKA_AUTH = 'none';
    process.env.AWS_REGION = 'eu-west-1';
    // WHEN
    const response = await handler(request({ postId: 'p-1', authorId: 'u-1', title: 'A flat' }));
    // THEN
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body as string)).toMatchObject({ postId: 'p-1' });
  }, 60_000);
});
