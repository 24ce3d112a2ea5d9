import { getDocumentClient } from '../../runtime/dynamo';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler } from '../../runtime/record-handler';
import { postOf, type PostPublished } from '../post-publisher/post';
import { awardBeans } from './reward';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Recruitment: 58 beans to the author of every published post, once per event id and once per post (one request). */
export const handler = kafkaRecordHandler<PostPublished>(async (event) => {
  const post = postOf(event);
  const outcome = await awardBeans(getDocumentClient(), { rewards: env('REWARDS_TABLE'), balances: env('BALANCES_TABLE') }, post, {
    eventId: event.id,
    eventTime: event.time,
  });
  logger.info('recruitment reward', { postId: post.postId, authorId: post.authorId, eventId: event.id, outcome });
});
