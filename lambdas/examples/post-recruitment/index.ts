import { getDocumentClient } from '../../runtime/dynamo';
import { required } from '../../runtime/env';
import { POST_ENV_WRITER, PostEnv } from '../contracts/post-env';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../contracts/post-events';
import { awardBeans } from './reward';

/** Recruitment: 58 beans to the author of every published post, once per event id and once per post (one request). */
export const handler = kafkaRecordHandler<PostPublished>(async (event) => {
  const post = postOf(event);
  const outcome = await awardBeans(getDocumentClient(), {
    rewards: required(process.env, PostEnv.REWARDS_TABLE, POST_ENV_WRITER),
    balances: required(process.env, PostEnv.BALANCES_TABLE, POST_ENV_WRITER),
  }, post, {
    eventId: event.id,
    eventTime: event.time,
  });
  logger.info('recruitment reward', { postId: post.postId, authorId: post.authorId, eventId: event.id, outcome });
});
