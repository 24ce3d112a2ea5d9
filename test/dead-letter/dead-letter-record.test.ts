import type { KafkaMessage } from 'kafkajs';
import { findDeadLetterConsumer, DeadLetterConsumer } from '../../lib/dead-letter/consumers';
import { readDeadLetter, redriveHeaders, UnreadableDeadLetterError } from '../../lib/dead-letter/dead-letter-record';
import { parseRecordRefs } from '../../lib/dead-letter/select';

const message = (m: Partial<KafkaMessage>): KafkaMessage => ({ key: null, value: null, timestamp: '1700000000000', attributes: 0, offset: '7', headers: {}, ...m } as KafkaMessage);

describe('readDeadLetter', () => {
  test('GIVEN a runtime dead letter WHEN read THEN the failure headers become reason, attempts and source, and the original headers stay', () => {
    // GIVEN
    const m = message({
      key: Buffer.from('post-1'),
      value: Buffer.from('{"id":"e1","type":"post.published"}'),
      headers: { 'content-type': Buffer.from('application/cloudevents+json'), 'x-error-message': Buffer.from('cannot be pinned'), 'x-error-type': Buffer.from('PromotionRejectedError'), 'x-attempts': Buffer.from('3'), 'x-source-topic': Buffer.from('posts'), 'x-source-partition': Buffer.from('2'), 'x-source-offset': Buffer.from('40'), 'x-redrive-count': Buffer.from('1') },
    });
    // WHEN
    const r = readDeadLetter('posts.re.dlt', 1, m);
    // THEN
    expect(r).toMatchObject({ writer: 'runtime', topic: 'posts.re.dlt', partition: 1, offset: 7, reason: 'PromotionRejectedError: cannot be pinned', attempts: 3, redriveCount: 1, source: { topic: 'posts', partition: 2, offset: 40 } });
    expect(r.headers.map(([n]) => n)).toEqual(['content-type', 'x-redrive-count']);
    expect(redriveHeaders(r)).toEqual({ 'content-type': Buffer.from('application/cloudevents+json'), 'x-redrive-count': '2' });
  });

  test('GIVEN a malformed-value dead letter (0 attempts) WHEN read THEN attempts is 0', () => {
    const r = readDeadLetter('t', 0, message({ value: Buffer.from('not json'), headers: { 'x-source-topic': Buffer.from('posts'), 'x-attempts': Buffer.from('0'), 'x-error-type': Buffer.from('SyntaxError') } }));
    expect(r).toMatchObject({ attempts: 0, reason: 'SyntaxError', redriveCount: 0 });
  });

  test('GIVEN bytes of neither shape WHEN read THEN UnreadableDeadLetterError names the record', () => {
    expect(() => readDeadLetter('t', 0, message({ value: Buffer.from('{"x":1}') }))).toThrow(new UnreadableDeadLetterError('t-0@7 is neither a runtime dead letter (no x-source-topic header) nor a Lambda on-failure record (no payload.records)'));
  });
});

describe('dlq arguments', () => {
  test.each([
    [['0:12', '1:3'], ['0:12', '1:3']],
    [['0:1,0:2'], ['0:1', '0:2']],
  ])('GIVEN --offset %j THEN the refs are %j', (input, refs) => {
    expect([...parseRecordRefs(input)!]).toEqual(refs);
  });

  test('GIVEN a malformed --offset THEN the error names the option, the form and the value', () => {
    expect(() => parseRecordRefs(['12'])).toThrow("--offset takes partition:offset pairs such as 0:12, got '12'");
  });

  const consumers: DeadLetterConsumer[] = [
    { name: 'real-estate', functionName: 'PostConsumers-PostsRealEstateFunctionA1', consumerGroupId: 'posts.published.real-estate', sourceTopics: ['posts.published'], deadLetterTopic: 'posts.published.real-estate.dlt' },
    { name: 'recruitment', functionName: 'PostConsumers-PostsRecruitmentFunctionB2', consumerGroupId: 'posts.published.recruitment', sourceTopics: ['posts.published'], deadLetterTopic: 'posts.published.recruitment.dlt' },
  ];

  test.each(['real-estate', 'posts.published.real-estate', 'posts.published.real-estate.dlt', 'RealEstate'])('GIVEN the consumer named by %s THEN it is found', (query) => {
    expect(findDeadLetterConsumer(consumers, query).name).toBe('real-estate');
  });

  test('GIVEN a query matching two consumers THEN the error lists both', () => {
    expect(() => findDeadLetterConsumer(consumers, 'Posts')).toThrow("'Posts' matches 2 consumers: real-estate (posts.published.real-estate.dlt), recruitment (posts.published.recruitment.dlt); name one by its consumer group id or dead-letter topic");
  });

  test('GIVEN a query matching none THEN the error lists the consumers', () => {
    expect(() => findDeadLetterConsumer(consumers, 'audit')).toThrow("no consumer with a dead-letter topic matches 'audit'; consumers: real-estate (posts.published.real-estate.dlt), recruitment (posts.published.recruitment.dlt)");
  });
});
