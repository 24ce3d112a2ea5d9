import { getDocumentClient } from '../../runtime/dynamo';
import { required } from '../../runtime/env';
import { POST_ENV_WRITER, PostEnv } from '../contracts/post-env';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../contracts/post-events';
import { countPost } from './statistics';

/** Second-hand: the author's posts count, incremented once per event id and once per post (one request). */
export const handler = kafkaRecordHandler<PostPublished>(async (event) => {
  const post = postOf(event);
  const table = required(process.env, PostEnv.USER_STATISTICS_TABLE, POST_ENV_WRITER);
  const outcome = await countPost(getDocumentClient(), table, post, { eventId: event.id, eventTime: event.time });
  logger.info('second-hand statistics', { postId: post.postId, authorId: post.authorId, eventId: event.id, outcome });
});
