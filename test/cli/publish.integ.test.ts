import { Kafka as CloudEventsKafka, type CloudEventV1 } from 'cloudevents';
import type { KafkaMessage } from 'kafkajs';
import { createEvent } from '../../lambdas/runtime/cloudevents';
import { closeProducer, publish } from '../../lambdas/runtime/producer';
import { ChainClient, ChainGraph } from '../../lib/chain';
import { runCli } from '../support/cli';
import { createTopics, documentClient, kafkaClient, localFunctionEnv, serviceEndpoints, uniqueName, waitFor } from '../support/services';

/** A record as the CloudEvents SDK's Kafka binding takes it: string headers, string key. */
function sdkMessage(m: KafkaMessage) {
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === undefined ? '' : String(v)]));
  return { key: m.key?.toString() ?? '', value: m.value?.toString() ?? '', headers, body: m.value?.toString(), timestamp: m.timestamp };
}

/**
 * Every producer of the project writes the same record: a structured-mode CloudEvent with
 * `content-type: application/cloudevents+json`, read back here from a real broker by the
 * CloudEvents SDK (`Kafka.toEvent`), as a consumer outside the project would.
 */
describe('records as the CloudEvents SDK reads them', () => {
  const topic = uniqueName('ce-sdk');
  const kafka = kafkaClient();
  const read: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('ce-sdk-reader') });
  const saved = { ...process.env };

  beforeAll(async () => {
    await createTopics(kafka, [topic]);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void read.push(message) });
  });
  afterAll(async () => {
    await consumer.disconnect();
    await closeProducer();
    process.env = saved;
  });

  const readBack = (predicate: (m: KafkaMessage) => boolean) => waitFor(() => read.find(predicate), { description: 'the record on the topic' });

  test('GIVEN `msk-pipelines publish` with id, source, subject, extension and headers WHEN read by Kafka.toEvent THEN it is that CloudEvent, with those headers', async () => {
    // WHEN
    const run = await runCli(
      ['publish', topic, '-t', 'order.placed', '-d', '{"orderId":"o-1","amount":25}', '--id', 'evt-cli-1', '--source', 'urn:shop:checkout', '--subject', 'o-1', '-e', 'tenant=acme', '--header', 'traceparent=00-abc-def-01', '--header', 'x-origin=cli'],
      { env: { KAFKA_BROKERS: serviceEndpoints().kafkaBrokers } },
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^published evt-cli-1 \\(order.placed\\) to ${topic} partition 0 offset \\d+\\n$`));
    // THEN
    const message = await readBack((m) => m.value?.toString().includes('evt-cli-1') ?? false);
    const event = CloudEventsKafka.toEvent(sdkMessage(message)) as CloudEventV1<unknown>;
    expect(event).toMatchObject({ specversion: '1.0', id: 'evt-cli-1', type: 'order.placed', source: 'urn:shop:checkout', subject: 'o-1', datacontenttype: 'application/json', tenant: 'acme', data: { orderId: 'o-1', amount: 25 } });
    expect(message.key?.toString()).toBe('o-1');
    expect(sdkMessage(message).headers).toEqual({ 'content-type': 'application/cloudevents+json', traceparent: '00-abc-def-01', 'x-origin': 'cli' });
  });

  test.each([
    [['--header', 'content-type=text/plain'], "headers may not set 'content-type': it is application/cloudevents+json, which marks the record as a structured-mode CloudEvent"],
    [['--header', 'novalue'], "--header must look like name=value, got 'novalue'"],
    [['--header', 'a=1', '--header', 'a=2'], '--header a is given twice'],
    [['--id', ''], 'invalid CloudEvent: id must be a non-empty string'],
  ])('GIVEN publish %j WHEN run THEN it is refused with one clear line and nothing is written', async (extra, message) => {
    const before = read.length;
    const run = await runCli(['publish', topic, '-t', 'order.placed', ...extra], { env: { KAFKA_BROKERS: serviceEndpoints().kafkaBrokers } });
    expect(run).toEqual({ code: 1, stdout: '', stderr: `error: ${message}\n` });
    expect(read.length).toBe(before);
  });

  test("GIVEN the runtime's publish and the chain client WHEN their records are read by Kafka.toEvent THEN both are the events they sent", async () => {
    // GIVEN
    Object.assign(process.env, localFunctionEnv());
    const published = createEvent({ type: 'post.published', source: 'urn:test:runtime', subject: 'p-9', data: { postId: 'p-9' } });
    await publish(topic, published, { headers: { 'x-origin': 'runtime' } });
    const graph = ChainGraph.of({ name: 'cesdk', tasks: [{ name: 'a', entry: 'x' }] });
    const producer = kafka.producer();
    await producer.connect();
    const client = new ChainClient({ graph, producer, db: documentClient(), joinTableName: 'unused', topicName: topic });
    const [requested] = await client.requestRuns(['2026-11-24']);
    await producer.disconnect();
    // WHEN / THEN
    for (const sent of [published, requested]) {
      const message = await readBack((m) => m.value?.toString().includes(sent.id) ?? false);
      expect(CloudEventsKafka.toEvent(sdkMessage(message))).toMatchObject({ ...sent });
    }
  });
});
