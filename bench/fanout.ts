/**
 * Fan-out throughput and latency: N `post.published` events through the three example consumers
 * (emulated event source mappings, real Kafka, DynamoDB Local), next to a bare kafkajs consumer
 * group reading the same topic in the same run. Latency per consumer is the event's `time`
 * (set by the publisher) → the consumer's effect row written (`appliedAt`). Runs both latency
 * profiles. Writes bench/results/fanout.json.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 DYNAMODB_ENDPOINT=http://127.0.0.1:18000 npx tsx bench/fanout.ts
 *
 * Without those variables the local services are started (and stopped) here. EVENTS sets N (default 2000).
 * Variants (written to bench/results/fanout-variant.json, not gathered): BENCH_ENFORCEMENT=off runs
 * without the IAM front and Kafka ACLs, BENCH_RECORD_CONCURRENCY=<n> sets the consumers' recordConcurrency.
 *
 * The floor of the consumers' throughput, in the same run: three bare kafkajs consumer groups
 * (one per consumer) that each make, per event, the least write that consumer must make (its
 * keyed row, with the counter it guards in the same transaction), each group reading its
 * partitions concurrently as the mapping invokes one function per partition, on a burst of N
 * events produced the same way to a topic of their own; and the older floor of one conditional
 * PutItem per event for every group (`floorOnePut`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaCluster } from '../lib/cluster';
import { LatencyProfile } from '../lib/consumer';
import { Emulator } from '../lib/local/emulator';
import { localDocumentClient, postEffectTables, PostEffectTables } from '../lib/local/scenarios/posts';
import { LocalServices } from '../lib/local/services';
import { PostConsumersStack } from '../lib/examples/post-consumers-stack';
import { PostPublisherStack } from '../lib/examples/post-publisher-stack';
import { eventMessage } from '../lambdas/runtime/event-message';
import { postPublishedEvent } from '../lambdas/examples/post-publisher/post';
import { cpuPerEvent, cpuSample, dynamodbLocalPid } from './support/cpu';
import { runBenchmark, stats, writeResult } from './support/stats';

const EVENTS = Number(process.env.EVENTS ?? 2000);
/** The paced phase: few events at a steady rate, so latency is not queueing behind a burst. */
const PACED_EVENTS = Number(process.env.PACED_EVENTS ?? 100);
const PACED_PER_SECOND = Number(process.env.PACED_PER_SECOND ?? 10);
/** `off` runs the consumers without the IAM front and Kafka ACLs (to measure their share; the default is as users run). */
const ENFORCEMENT = process.env.BENCH_ENFORCEMENT === 'off' ? { enforceIam: false, enforceKafkaAcls: false } : {};
/** The consumers' records handled at once per batch (the example app's 10 unless set). */
const CONSUMER_RECORD_CONCURRENCY = process.env.BENCH_RECORD_CONCURRENCY === undefined ? undefined : Number(process.env.BENCH_RECORD_CONCURRENCY);
/** Warm-up events start every function's execution environments before the clock starts. */
const WARMUP_EVENTS = 12;
const WARMUP_SOURCE = 'urn:bench:warmup';
const PARTITIONS = 3;
/**
 * Records of one partition the main floor has in flight at once. The consumers run
 * `recordConcurrency: 10`, but on DynamoDB Local ten transactions per partition at once made the
 * floor slower (15.7 events/s, 2026-11-30 13:35, load 13–15) than one at a time (49.8 at 12:52):
 * its transactions contend. The main floor keeps the faster setting, so its ratio is to the higher
 * bar; `floorSameConcurrency` runs the consumers' concurrency, the issue's "same concurrency".
 */
const RECORD_CONCURRENCY = 1;
const CONSUMERS = ['recruitment', 'real-estate', 'second-hand'] as const;
type Consumer = (typeof CONSUMERS)[number];


const rate = (events: number, ms: number) => Math.round((events / (ms / 1000)) * 10) / 10;

function synth(topicName: string, latency: LatencyProfile): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fanout-'));
  const app = new App({ outdir });
  const cluster = new KafkaCluster(new Stack(app, 'Foundation'), 'Cluster');
  const publisher = new PostPublisherStack(app, 'PostPublisher', { cluster, topicName, partitions: PARTITIONS });
  const consumers = new PostConsumersStack(app, 'PostConsumers', { cluster, topicName, partitions: PARTITIONS, latency, recordConcurrency: CONSUMER_RECORD_CONCURRENCY });
  consumers.addStackDependency(publisher);
  app.synth();
  return outdir;
}

/** appliedAt − event time of every event, per consumer. */
async function effectTimes(doc: DynamoDBDocumentClient, tables: PostEffectTables, posts: Array<{ postId: string; authorId: string }>) {
  const out: Record<Consumer, { latencies: number[]; lastAppliedAt: number }> = {
    recruitment: { latencies: [], lastAppliedAt: 0 },
    'real-estate': { latencies: [], lastAppliedAt: 0 },
    'second-hand': { latencies: [], lastAppliedAt: 0 },
  };
  const collect = (consumer: Consumer, eventTime: unknown, appliedAt: unknown) => {
    const applied = Date.parse(String(appliedAt));
    out[consumer].latencies.push(applied - Date.parse(String(eventTime)));
    out[consumer].lastAppliedAt = Math.max(out[consumer].lastAppliedAt, applied);
  };
  // BatchGetItem takes at most 100 keys over all tables: 33 posts × 3 tables.
  for (let i = 0; i < posts.length; i += 33) {
    const chunk = posts.slice(i, i + 33);
    let request: Record<string, any> = {
      [tables.rewards]: { Keys: chunk.map((p) => ({ postId: p.postId })) },
      [tables.pinned]: { Keys: chunk.map((p) => ({ postId: p.postId })) },
      [tables.statistics]: { Keys: chunk.map((p) => ({ userId: p.authorId })) },
    };
    while (Object.keys(request).length > 0) {
      const res = await doc.send(new BatchGetCommand({ RequestItems: request }));
      for (const row of res.Responses?.[tables.rewards] ?? []) collect('recruitment', row.eventTime, row.appliedAt);
      for (const row of res.Responses?.[tables.pinned] ?? []) collect('real-estate', row.eventTime, row.appliedAt);
      for (const row of res.Responses?.[tables.statistics] ?? []) collect('second-hand', row.lastEventTime, row.lastAppliedAt);
      request = res.UnprocessedKeys ?? {};
    }
  }
  return out;
}

/** Sequential UpdateItem round trips on DynamoDB Local: each record costs 3-4 of them (idempotency in progress, effect, completed). */
async function dynamodbRoundTrip(doc: DynamoDBDocumentClient, table: string, run: string) {
  const ms: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    await doc.send(new UpdateCommand({ TableName: table, Key: { userId: `calibration-${run}` }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
    ms.push(performance.now() - t);
  }
  return stats(ms);
}

async function runProfile(services: { kafkaBrokers: string; dynamodbEndpoint: string }, latency: LatencyProfile) {
  const run = randomUUID().slice(0, 8);
  const topicName = `bench-posts-${run}`;
  const assemblyDir = synth(topicName, latency);
  const emulator = await Emulator.start({ assemblyDir, services, stacks: ['PostPublisher', 'PostConsumers'], onLog: () => undefined, ...ENFORCEMENT });
  const kafka = new Kafka({ clientId: 'bench-fanout', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const doc = localDocumentClient(services.dynamodbEndpoint);
  try {
    const tables = postEffectTables(emulator, 'PostConsumers');
    // The bare consumer group: subscribed before the first publish, reading the same topic.
    const bare = kafka.consumer({ groupId: `${topicName}.bare`, maxWaitTimeInMs: 100 });
    await bare.connect();
    await bare.subscribe({ topic: topicName, fromBeginning: true });
    const bareLatencies: number[] = [];
    const barePaced: number[] = [];
    let bareLast = 0;
    let resolveBurst!: () => void;
    let resolvePaced!: () => void;
    const bareDone = new Promise<void>((resolve) => (resolveBurst = resolve));
    const barePacedDone = new Promise<void>((resolve) => (resolvePaced = resolve));
    void bare.run({
      eachMessage: async ({ message }) => {
        const received = Date.now();
        const event = JSON.parse(message.value!.toString('utf8'));
        if (event.source === WARMUP_SOURCE) return;
        if (bareLatencies.length < EVENTS) {
          bareLatencies.push(received - Date.parse(event.time));
          bareLast = received;
          if (bareLatencies.length === EVENTS) resolveBurst();
        } else {
          barePaced.push(received - Date.parse(event.time));
          if (barePaced.length >= PACED_EVENTS) resolvePaced();
        }
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    const fnOf = (consumer: Consumer) => {
      const pascal = consumer.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      return emulator.functions.find((f) => f.stack === 'PostConsumers' && f.logicalId.startsWith(`Posts${pascal}Function`))!.name;
    };
    const names = CONSUMERS.map(fnOf);
    const processed = (n: number) => emulator.waitFor((inv) => names.every((name) => inv.filter((i) => i.functionName === name && i.outcome === 'succeeded').reduce((k, i) => k + i.eventIds.length, 0) >= n), 600_000);
    const warmup = Array.from({ length: WARMUP_EVENTS }, (_, n) =>
      postPublishedEvent({ postId: `warmup-${run}-${n}`, authorId: `warmup-${run}-${n}`, title: 'warm-up', publishedAt: new Date().toISOString() }, WARMUP_SOURCE));
    await producer.send({ topic: topicName, acks: -1, messages: warmup.map((e) => eventMessage(e)) });
    await processed(WARMUP_EVENTS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const posts: Array<{ postId: string; authorId: string; eventId: string }> = [];
    const dynamodbPid = dynamodbLocalPid(services.dynamodbEndpoint);
    const cpuAtStart = cpuSample(dynamodbPid);
    const start = Date.now();
    for (let i = 0; i < EVENTS; i += 100) {
      const events = Array.from({ length: Math.min(100, EVENTS - i) }, (_, j) => {
        const n = i + j;
        const post = { postId: `bench-${run}-${n}`, authorId: `bench-${run}-${n}`, title: `post ${n}`, publishedAt: new Date().toISOString() };
        return postPublishedEvent(post, 'urn:bench');
      });
      await producer.send({ topic: topicName, acks: -1, messages: events.map((e) => eventMessage(e)) });
      for (const e of events) posts.push({ postId: e.data.postId, authorId: e.data.authorId, eventId: e.id });
    }
    const published = Date.now();

    await processed(WARMUP_EVENTS + EVENTS);
    const cpuAtEnd = cpuSample(dynamodbPid);
    await bareDone;

    const times = await effectTimes(doc, tables, posts);
    const perConsumer = Object.fromEntries(
      CONSUMERS.map((c) => {
        const invocations = emulator.invocations.filter((i) => i.functionName === fnOf(c) && i.trigger === 'mapping' && Date.parse(i.start) >= start && Date.parse(i.start) <= times[c].lastAppliedAt);
        return [c, {
          effects: times[c].latencies.length,
          eventsPerSecond: rate(EVENTS, times[c].lastAppliedAt - start),
          latencyMs: stats(times[c].latencies),
          invocations: invocations.length,
          meanBatch: Math.round((invocations.reduce((n, i) => n + i.recordCount, 0) / Math.max(1, invocations.length)) * 10) / 10,
        }];
      }),
    );

    // Paced phase: one event every 1/PACED_PER_SECOND s on the same, now idle, consumers.
    const paced: typeof posts = [];
    for (let n = 0; n < PACED_EVENTS; n++) {
      const post = { postId: `paced-${run}-${n}`, authorId: `paced-${run}-${n}`, title: `paced ${n}`, publishedAt: new Date().toISOString() };
      const e = postPublishedEvent(post, 'urn:bench');
      await producer.send({ topic: topicName, acks: -1, messages: [eventMessage(e)] });
      paced.push({ postId: post.postId, authorId: post.authorId, eventId: e.id });
      await new Promise((resolve) => setTimeout(resolve, 1000 / PACED_PER_SECOND));
    }
    await producer.disconnect();
    await processed(WARMUP_EVENTS + EVENTS + PACED_EVENTS);
    await barePacedDone;
    await bare.disconnect();
    const pacedTimes = await effectTimes(doc, tables, paced);
    const pacedLatency = {
      events: PACED_EVENTS,
      perSecond: PACED_PER_SECOND,
      bareKafkajsMs: stats(barePaced),
      ...Object.fromEntries(CONSUMERS.map((c) => [`${c}Ms`, stats(pacedTimes[c].latencies)])),
    };

    const dynamodbLocalUpdateMs = await dynamodbRoundTrip(doc, tables.statistics, run);
    const lastEffect = Math.max(...CONSUMERS.map((c) => times[c].lastAppliedAt));
    const result = {
      latencyProfile: latency,
      batchingWindowSeconds: emulator.mappings[0]?.batchingWindow,
      batchSize: emulator.mappings[0]?.batchSize,
      publishMs: published - start,
      threeConsumers: { eventsPerSecond: rate(EVENTS, lastEffect - start), allEffectsMs: lastEffect - start, cpuMsPerEvent: cpuPerEvent(cpuAtStart, cpuAtEnd, EVENTS) },
      bareKafkajsGroup: { eventsPerSecond: rate(EVENTS, bareLast - start), allReceivedMs: bareLast - start, latencyMs: stats(bareLatencies) },
      perConsumer,
      pacedLatency,
      dynamodbLocalUpdateMs,
    };
    return result;
  } finally {
    await emulator.stop();
    doc.destroy();
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
}

/**
 * What a floor group writes per event: `one-put` one conditional PutItem for every group (the
 * least any consumer that applies an event once writes); `effects` each consumer's own least
 * correct write, with no dedupe beyond its row's condition — real estate one conditional
 * PutItem, recruitment and second-hand a two-item transaction (a keyed row and the counter it
 * guards, which must commit together). `effects` is the fair floor: the same required work.
 */
type FloorWrites = 'one-put' | 'effects';

/**
 * The floor: EVENTS events through three bare kafkajs groups, each writing per event as `writes`
 * says, with PARTITIONS partitions consumed concurrently (as the mapping invokes one function
 * per partition) and RECORD_CONCURRENCY records of a partition at once. Throughput = N / (first publish → last write of the three groups).
 */
async function runFloor(services: { kafkaBrokers: string; dynamodbEndpoint: string }, writes: FloorWrites, recordConcurrency = RECORD_CONCURRENCY) {
  const run = randomUUID().slice(0, 8);
  const topic = `bench-floor-${run}`;
  // As the consumers' effects: each group its own tables; recruitment's counter in a table of its
  // own, second-hand's in the table of its keyed rows (a shared table would make the groups'
  // transactions contend where the consumers' do not).
  const rows = (g: number) => `bench-floor-${run}-${CONSUMERS[g]}`;
  const counters = (g: number) => (CONSUMERS[g] === 'recruitment' ? `${rows(g)}-counters` : rows(g));
  const tables = [...CONSUMERS.map((_, g) => rows(g)), counters(CONSUMERS.indexOf('recruitment'))];
  const kafka = new Kafka({ clientId: 'bench-fanout-floor', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const dynamo = new DynamoDBClient({ endpoint: services.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const doc = DynamoDBDocumentClient.from(dynamo);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  for (const table of tables) {
    await dynamo.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    }));
  }
  const groups = CONSUMERS.map((c) => kafka.consumer({ groupId: `${topic}.${c}`, maxWaitTimeInMs: 100 }));
  try {
    let last = 0;
    const done = CONSUMERS.map(() => 0);
    let resolveAll!: () => void;
    const allDone = new Promise<void>((resolve) => (resolveAll = resolve));
    for (const [g, consumer] of groups.entries()) {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      void consumer.run({
        partitionsConsumedConcurrently: PARTITIONS,
        // RECORD_CONCURRENCY records of a partition's batch in flight (each post its own key), the
        // batch done before the next is fetched, as the record handler does.
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          let next = 0;
          await Promise.all(Array.from({ length: recordConcurrency }, async () => {
            while (next < batch.messages.length) await apply(batch.messages[next++].value!);
          }));
          resolveOffset(batch.lastOffset());
          await heartbeat();
        },
      });
      // A record whose write failed (a timeout of DynamoDB Local under load) is retried here, as
      // the record handler retries a transient error; its keyed row failing the condition then
      // means the first try was applied.
      async function apply(value: Buffer): Promise<void> {
        for (let attempt = 1; ; attempt++) {
          try {
            await applyOnce(value);
          } catch (e) {
            const err = e as Error & { CancellationReasons?: Array<{ Code?: string }> };
            const applied = err.name === 'ConditionalCheckFailedException' || (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
            if (!applied) {
              if (attempt >= 10) throw e;
              await new Promise((r) => setTimeout(r, 100 * attempt));
              continue;
            }
          }
          last = Date.now();
          if (++done[g] === EVENTS && done.every((n) => n >= EVENTS)) resolveAll();
          return;
        }
      }
      async function applyOnce(value: Buffer): Promise<void> {
        const event = JSON.parse(value.toString('utf8')) as { id: string; data: { authorId: string } };
        const keyed = { TableName: rows(g), Item: { id: `${CONSUMERS[g]}:${event.id}`, eventId: event.id, appliedAt: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(id)' };
        if (writes === 'one-put' || CONSUMERS[g] === 'real-estate') await doc.send(new PutCommand(keyed));
        else {
          await doc.send(new TransactWriteCommand({ TransactItems: [
            { Put: keyed },
            { Update: { TableName: counters(g), Key: { id: `${CONSUMERS[g]}:user:${event.data.authorId}` }, UpdateExpression: 'ADD n :one SET updatedAt = :now', ExpressionAttributeValues: { ':one': 1, ':now': new Date().toISOString() } } },
          ] }));
        }
      }
    }
    // Joined and assigned before the clock starts, as the warmed-up consumers are.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const producer = kafka.producer();
    await producer.connect();
    const dynamodbPid = dynamodbLocalPid(services.dynamodbEndpoint);
    const cpuAtStart = cpuSample(dynamodbPid);
    const start = Date.now();
    for (let i = 0; i < EVENTS; i += 100) {
      const events = Array.from({ length: Math.min(100, EVENTS - i) }, (_, j) => {
        const n = i + j;
        return postPublishedEvent({ postId: `floor-${run}-${n}`, authorId: `floor-${run}-${n}`, title: `post ${n}`, publishedAt: new Date().toISOString() }, 'urn:bench');
      });
      await producer.send({ topic, acks: -1, messages: events.map((e) => eventMessage(e)) });
    }
    await producer.disconnect();
    await allDone;
    const cpuMsPerEvent = cpuPerEvent(cpuAtStart, cpuSample(dynamodbPid), EVENTS);
    return { writes, groups: CONSUMERS.length, partitionsConcurrently: PARTITIONS, recordsPerPartitionConcurrently: recordConcurrency, requestsPerEventPerGroup: 1, eventsPerSecond: rate(EVENTS, last - start), allWrittenMs: last - start, cpuMsPerEvent };
  } finally {
    await Promise.all(groups.map((c) => c.disconnect()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    for (const table of tables) await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo.destroy();
  }
}

async function main(): Promise<void> {
  const loadAverageAtStart = os.loadavg().map((l) => Math.round(l * 10) / 10);
  const services = await LocalServices.start({ handleSignals: true });
  try {
    const s = { kafkaBrokers: services.kafkaBrokers, dynamodbEndpoint: services.dynamodbEndpoint };
    const profiles = [];
    for (const latency of [LatencyProfile.ECONOMICAL, LatencyProfile.LOW_LATENCY]) {
      process.stdout.write(`fan-out bench: ${EVENTS} events, ${latency}…\n`);
      const r = await runProfile(s, latency);
      process.stdout.write(`${JSON.stringify(r)}\n`);
      profiles.push(r);
    }
    process.stdout.write(`fan-out bench: floors, ${EVENTS} events through three bare groups writing each consumer's effect, then one put per event…\n`);
    const floor = await runFloor(s, 'effects');
    const consumersConcurrency = CONSUMER_RECORD_CONCURRENCY ?? 10;
    const floorSameConcurrency = consumersConcurrency === RECORD_CONCURRENCY ? floor : await runFloor(s, 'effects', consumersConcurrency);
    const floorOnePut = await runFloor(s, 'one-put');
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    for (const p of profiles) {
      Object.assign(p, {
        vsFloor: ratio(p.threeConsumers.eventsPerSecond, floor.eventsPerSecond),
        vsFloorSameConcurrency: ratio(p.threeConsumers.eventsPerSecond, floorSameConcurrency.eventsPerSecond),
        vsFloorOnePut: ratio(p.threeConsumers.eventsPerSecond, floorOnePut.eventsPerSecond),
      });
    }
    const result = {
      benchmark: 'fanout',
      description: `${EVENTS} post.published events (${PARTITIONS} partitions) through three emulated consumers (each its own group, function and DynamoDB effects) vs a bare kafkajs consumer group on the same topic, same run. Latency = event time → effect row written (consumers) or eachMessage (bare). Throughput = N / (first publish → last effect or receive) for a burst of N; pacedLatency = latency at a steady ${PACED_PER_SECOND}/s on idle consumers (no backlog).`,
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      events: EVENTS,
      pacedEvents: PACED_EVENTS,
      loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 10) / 10),
      enforcement: ENFORCEMENT.enforceIam === false ? 'off (no IAM front, no Kafka ACLs)' : 'on (as users run)',
      consumersRecordConcurrency: consumersConcurrency,
      floor,
      floorSameConcurrency,
      floorOnePut,
      loadAverageAtStart,
      profiles,
    };
    writeResult(ENFORCEMENT.enforceIam === false || CONSUMER_RECORD_CONCURRENCY !== undefined ? 'fanout-variant' : 'fanout', result);
  } finally {
    await services.stop();
  }
}

runBenchmark(main);
