import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Producer } from 'kafkajs';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { ConsumerEnv } from '../../lambdas/runtime/consumer-env';
import { Emulator } from '../../lib/local/emulator';
import { kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';
import { kafkaMapping, kafkaTopic } from './fixtures/emulator-app';

/**
 * `DeadLetter.sqs()` in local mode: the runtime's SendMessage goes through the function's real SQS
 * client to the emulator's SQS stand-in, with the record and the same failure details as the Kafka
 * dead-letter headers.
 */
describe('dead letters to an SQS queue, locally', () => {
  const id = uniqueName('sqsdlq');
  const topic = `${id}-orders`;
  const queueName = `${id}-dead-letters`;
  let emulator: Emulator;
  let producer: Producer;
  let dir: string;

  beforeAll(async () => {
    producer = kafkaClient().producer();
    await producer.connect();
    // GIVEN a consumer whose dead letters go to a queue (the environment DeadLetter.sqs() gives it)
    dir = synthToDir((app) => {
      const stack = new Stack(app, `SqsDlq${id.replace(/[^A-Za-z0-9]/g, '')}`);
      kafkaTopic(stack, 'Topic', topic, 1);
      const queue = new sqs.Queue(stack, 'DeadLetters', { queueName, enforceSSL: true });
      const fn = new NodejsFunction(stack, 'Consumer', {
        entry: path.join(__dirname, 'fixtures', 'functions', 'failing-consumer.ts'),
        runtime: lambda.Runtime.NODEJS_22_X,
        timeout: Duration.seconds(30),
        environment: { [ConsumerEnv.DEAD_LETTER_QUEUE_URL]: queue.queueUrl, [ConsumerEnv.MAX_ATTEMPTS]: '2', POWERTOOLS_LOG_LEVEL: 'ERROR' },
        bundling: { minify: false, sourceMap: false, bundleAwsSDK: true },
      });
      // DeadLetter.sqs() grants this; without it IAM enforcement denies the SendMessage, as AWS would.
      queue.grantSendMessages(fn);
      kafkaMapping(stack, 'Mapping', fn, { topic, window: 1 });
    });
    emulator = await Emulator.start({ assemblyDir: dir, services: serviceEndpoints(), onLog: () => undefined, sqsDir: path.join(dir, 'sqs') });
  }, 120_000);

  afterAll(async () => {
    await emulator?.stop();
    await producer?.disconnect();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('GIVEN a record that keeps failing WHEN its attempts are spent THEN the queue gets it with the failure details, and the batch succeeds', async () => {
    // WHEN
    const value = encodeEvent(createEvent({ id: 'q1', type: 'order.created', source: 'urn:test', data: { fail: true } }));
    await producer.send({ topic, messages: [{ key: 'order-1', value }] });
    await waitFor(() => emulator.sqsMessages(queueName).length > 0, { description: 'a dead letter in the local queue', timeoutMs: 60_000 });
    // THEN
    const [message] = emulator.sqsMessages(queueName) as Array<{ body: string; attributes: Record<string, string> }>;
    expect(message.attributes).toEqual({
      'x-error-message': 'record q1 always fails', 'x-error-type': 'Error', 'x-attempts': '2',
      'x-source-topic': topic, 'x-source-partition': '0', 'x-source-offset': '0',
    });
    const body = JSON.parse(message.body);
    expect(body).toMatchObject({ topic, partition: 0, offset: 0, failure: message.attributes });
    expect(Buffer.from(body.key, 'base64').toString()).toBe('order-1');
    expect(Buffer.from(body.value, 'base64').toString()).toBe(value.toString());
    await emulator.waitFor((all) => all.find((i) => i.eventIds.includes('q1') && i.outcome === 'succeeded'));
  }, 90_000);
});
