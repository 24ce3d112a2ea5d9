/**
 * Produce → handler-start latency through the emulated event source mapping (batching window
 * 0), next to a bare kafkajs consumer's produce → receive on the same broker in the same run.
 * Writes bench/results/esm-latency.json.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 DYNAMODB_ENDPOINT=http://127.0.0.1:18000 npx tsx bench/esm-latency.ts
 *
 * Without those variables the local services are started (and stopped) here. The mapping's
 * poller authenticates as its function on the broker's IAM listener, held to the Kafka ACLs of its
 * role (EmulatorOptions.enforceKafkaAcls); KAFKA_ACLS=off measures it on the plaintext listener.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Kafka, logLevel } from 'kafkajs';
import { Emulator } from '../lib/local/emulator';
import { LocalServices } from '../lib/local/services';
import { runBenchmark, stats, writeResult } from './support/stats';

const RECORDS = Number(process.env.RECORDS ?? 300);
const KAFKA_ACLS = process.env.KAFKA_ACLS !== 'off';
const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/bench/00000000-0000-0000-0000-000000000000-1';
const GAP_MS = Number(process.env.GAP_MS ?? 15);
const now = () => performance.timeOrigin + performance.now();


async function main(): Promise<void> {
  const services = await LocalServices.start({ handleSignals: true });
  const run = `bench-${Date.now().toString(36)}`;
  const topics = { emulated: `${run}-emulated`, bare: `${run}-bare` };
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cdk-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'LatencyBench');
  const fn = new NodejsFunction(stack, 'Latency', {
    entry: path.join(__dirname, '..', 'test', 'local', 'fixtures', 'functions', 'latency.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(10),
  });
  // What the poller needs from the role on an IAM cluster (as KafkaTopic.grantConsume gives it).
  const dataArn = (kind: string, name: string) => `${CLUSTER_ARN.replace(':cluster/', `:${kind}/`)}/${name}`;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'], resources: [CLUSTER_ARN] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [dataArn('topic', topics.emulated)] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [dataArn('group', `${run}-esm`)] }));
  new lambda.CfnEventSourceMapping(stack, 'Mapping', {
    functionName: fn.functionName,
    eventSourceArn: CLUSTER_ARN,
    topics: [topics.emulated],
    startingPosition: 'LATEST',
    batchSize: 100,
    maximumBatchingWindowInSeconds: 0,
    amazonManagedKafkaEventSourceConfig: { consumerGroupId: `${run}-esm` },
  });
  app.synth();

  const kafka = new Kafka({ clientId: 'bench', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topics.emulated, numPartitions: 1 }, { topic: topics.bare, numPartitions: 1 }] });
  await admin.disconnect();

  const emulated: number[] = [];
  const startedAt = now();
  const emulator = await Emulator.start({
    assemblyDir: outdir,
    services: {
      kafkaBrokers: services.kafkaBrokers,
      dynamodbEndpoint: services.dynamodbEndpoint,
      kafkaIam: services.kafkaIamBrokers && services.kafkaIamCaFile ? { brokers: services.kafkaIamBrokers, caFile: services.kafkaIamCaFile } : undefined,
    },
    enforceKafkaAcls: KAFKA_ACLS,
    onLog: (line) => {
      const m = /\] LAT ([\d.]+) ([\d.,]+)$/.exec(line);
      if (m) for (const sent of m[2].split(',')) emulated.push(Number(m[1]) - Number(sent));
    },
  });

  const emulatorStartMs = now() - startedAt;
  const bare: number[] = [];
  const consumer = kafka.consumer({ groupId: `${run}-bare`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.bare, fromBeginning: true });
  let joined!: () => void;
  const join = new Promise<void>((r) => { joined = r; });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachMessage: async ({ message }) => {
      const received = now();
      bare.push(received - JSON.parse(message.value!.toString()).sentAt);
    },
  });
  await join;

  const producer = kafka.producer();
  await producer.connect();
  // Warm-up: the first invocation is a cold start, not what this measures.
  await producer.send({ topic: topics.emulated, messages: [{ value: JSON.stringify({ sentAt: now() }) }] });
  const cold = await emulator.waitFor((inv) => inv[0], 30000);
  emulated.length = 0;

  for (let i = 0; i < RECORDS; i++) {
    const sentAt = now();
    const value = JSON.stringify({ i, sentAt });
    await producer.sendBatch({ topicMessages: [{ topic: topics.emulated, messages: [{ value }] }, { topic: topics.bare, messages: [{ value }] }] });
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const deadline = Date.now() + 30000;
  while ((emulated.length < RECORDS || bare.length < RECORDS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

  await producer.disconnect();
  await consumer.disconnect();
  await emulator.stop();
  await services.stop();
  fs.rmSync(outdir, { recursive: true, force: true });

  const e = stats(emulated);
  const b = stats(bare);
  const result = {
    benchmark: 'esm-latency',
    description: 'produce → handler start (emulated ESM, batching window 0) vs produce → eachMessage (bare kafkajs consumer), same broker, same run',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    records: RECORDS,
    gapMs: GAP_MS,
    kafkaAcls: KAFKA_ACLS && services.kafkaIamBrokers !== undefined,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    emulatedMs: e,
    bareKafkajsMs: b,
    emulatorStartMs: Math.round(emulatorStartMs),
    coldInvocationMs: cold.durationMs,
    p50Ratio: Math.round((e.p50 / b.p50) * 100) / 100,
    goals: { p50RatioAtMost: 1.5, p50BelowMs: 20 },
    met: { p50Ratio: e.p50 / b.p50 <= 1.5, p50: e.p50 < 20 },
  };
  writeResult('esm-latency', result);
}

runBenchmark(main);
