import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../post-publisher/post';
import { pinPost } from './promotion';

/** Real estate: the post is pinned for two days, once per event id and once per post (one request). */
export const handler = kafkaRecordHandler<PostPublished>(async (event) => {
  const post = postOf(event);
  const table = process.env.PINNED_POSTS_TABLE;
  if (!table) throw new Error('PINNED_POSTS_TABLE is not set');
  const outcome = await pinPost(getDocumentClient(), table, post, {
    eventId: event.id,
    eventTime: event.time,
    rejectPostIdPrefix: process.env.REJECT_POST_ID_PREFIX || undefined,
  });
  logger.info('real-estate promotion', { postId: post.postId, eventId: event.id, outcome });
});
