import { getDocumentClient } from '../../runtime/dynamo';
import { onceByEventId } from '../../runtime/idempotency';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../post-publisher/post';
import { countPost } from './statistics';

/** Second-hand: the author's posts count, incremented once per event id. */
export const handler = kafkaRecordHandler<PostPublished>(
  onceByEventId(async (event) => {
    const post = postOf(event);
    const table = process.env.USER_STATISTICS_TABLE;
    if (!table) throw new Error('USER_STATISTICS_TABLE is not set');
    const postsCount = await countPost(getDocumentClient(), table, post, { eventId: event.id, eventTime: event.time });
    logger.info('second-hand statistics', { postId: post.postId, authorId: post.authorId, eventId: event.id, postsCount });
  }),
);
