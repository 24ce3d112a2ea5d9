import { getDocumentClient } from '../../runtime/dynamo';
import { optional, required } from '../../runtime/env';
import { POST_ENV_WRITER, PostEnv } from '../contracts/post-env';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../contracts/post-events';
import { pinPost } from './promotion';

/** Real estate: the post is pinned for two days, once per event id and once per post (one request). */
export const handler = kafkaRecordHandler<PostPublished>(async (event) => {
  const post = postOf(event);
  const table = required(process.env, PostEnv.PINNED_POSTS_TABLE, POST_ENV_WRITER);
  const outcome = await pinPost(getDocumentClient(), table, post, {
    eventId: event.id,
    eventTime: event.time,
    rejectPostIdPrefix: optional(process.env, PostEnv.REJECT_POST_ID_PREFIX),
  });
  logger.info('real-estate promotion', { postId: post.postId, eventId: event.id, outcome });
});
