import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { required } from '../../runtime/env';
import { json } from '../../runtime/http';
import { logger } from '../../runtime/logger';
import { PublisherEnv } from '../../runtime/publisher-env';
import { publish } from '../../runtime/producer';
import { InvalidPostError, parseBody, parsePost, postPublishedEvent } from './post';

/** The `source` attribute of every event this publisher writes. */
export const POST_SOURCE = 'urn:msk-pipelines:post-publisher';

/**
 * POST /posts: validates the post, publishes one `post.published` event keyed by the post id,
 * and answers 202 once Kafka acknowledged it. The publisher never learns who consumes.
 */
export async function handler(request: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  let event;
  try {
    event = postPublishedEvent(parsePost(parseBody(request.body, request.isBase64Encoded)), POST_SOURCE);
  } catch (err) {
    if (err instanceof InvalidPostError) return json(400, { message: `invalid post: ${err.message}`, field: err.field });
    throw err;
  }
  const topic = required(process.env, PublisherEnv.TOPIC_NAME, 'FanoutTopic.grantPublish');
  try {
    await publish(topic, event, { key: event.data.postId });
  } catch (err) {
    // Not swallowed: the caller learns the post was not published and may retry with the same post id.
    logger.error('publish failed', { postId: event.data.postId, eventId: event.id, error: err as Error });
    return json(503, { message: 'post not published: the topic is unavailable, retry later', postId: event.data.postId });
  }
  logger.info('post published', { postId: event.data.postId, eventId: event.id, topic });
  return json(202, { postId: event.data.postId, eventId: event.id });
}
