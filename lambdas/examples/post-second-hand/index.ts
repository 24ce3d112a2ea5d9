import { getDocumentClient } from '../../runtime/dynamo';
import { required } from '../../runtime/env';
import { POST_ENV_WRITER, PostEnv } from '../contracts/post-env';
import { onceByEventId } from '../../runtime/idempotency';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../contracts/post-events';
import { countPost } from './statistics';

/** Second-hand: the author's posts count, incremented once per event id. */
export const handler = kafkaRecordHandler<PostPublished>(
  onceByEventId(async (event) => {
    const post = postOf(event);
    const table = required(process.env, PostEnv.USER_STATISTICS_TABLE, POST_ENV_WRITER);
    const postsCount = await countPost(getDocumentClient(), table, post, { eventId: event.id, eventTime: event.time });
    logger.info('second-hand statistics', { postId: post.postId, authorId: post.authorId, eventId: event.id, postsCount });
  }),
);
