import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../post-publisher/post';
import { countPost } from './statistics';

/** Second-hand: the author's posts count, incremented once per event id and once per post (one request). */
export const handler = kafkaRecordHandler<PostPublished>(async (event) => {
  const post = postOf(event);
  const table = process.env.USER_STATISTICS_TABLE;
  if (!table) throw new Error('USER_STATISTICS_TABLE is not set');
  const outcome = await countPost(getDocumentClient(), table, post, { eventId: event.id, eventTime: event.time });
  logger.info('second-hand statistics', { postId: post.postId, authorId: post.authorId, eventId: event.id, outcome });
});
