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
 *
 * Two floors in the same run: a bare kafkajs consumer on the plaintext listener, and (with ACLs on)
 * one on the IAM listener with the function's own principal — TLS and the OAUTHBEARER session cost
 * the same to any client of an IAM cluster, on AWS too, so `p50RatioSameTransport` is what the
 * emulator itself adds.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { signMskIamToken } from '../lambdas/runtime/msk-iam-token';
import { Emulator } from '../lib/local/emulator';
import { accessKeyIdOf, LOCAL_SECRET_ACCESS_KEY } from '../lib/local/emulator/environment';
import { LocalServices } from '../lib/local/services';
import { runBenchmark, stats, writeResult } from './support/stats';

const RECORDS = Number(process.env.RECORDS ?? 300);
/**
 * Rounds of RECORDS on the same services and emulator. One round's p50 ratio moved between 0.9
 * and 1.36 on a quiet 2-core machine (five runs, 2026-11-30 16:04–16:20): the goal is read on
 * the median of the rounds' ratios.
 */
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const KAFKA_ACLS = process.env.KAFKA_ACLS !== 'off';
const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/bench/00000000-0000-0000-0000-000000000000-1';
const GAP_MS = Number(process.env.GAP_MS ?? 15);
/** Region the bare IAM consumer signs for (the listener checks the signature, not the region). */
const REGION = 'us-east-1';
const now = () => performance.timeOrigin + performance.now();


async function main(): Promise<void> {
  const services = await LocalServices.start({ handleSignals: true });
  const run = `bench-${Date.now().toString(36)}`;
  const topics = { emulated: `${run}-emulated`, bare: `${run}-bare`, bareIam: `${run}-bare-iam` };
  const functionName = `${run}-latency`;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cdk-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'LatencyBench');
  const fn = new NodejsFunction(stack, 'Latency', {
    entry: path.join(__dirname, '..', 'test', 'local', 'fixtures', 'functions', 'latency.ts'),
    runtime: lambda.Runtime.NODEJS_22_X,
    timeout: Duration.seconds(10),
    functionName,
  });
  // What the poller needs from the role on an IAM cluster (as KafkaTopic.grantConsume gives it),
  // on every topic and group: local ACLs cover only the assembly's named topics and groups, and
  // the bare IAM consumer's are not in it.
  const dataArn = (kind: string, name: string) => `${CLUSTER_ARN.replace(':cluster/', `:${kind}/`)}/${name}`;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'], resources: [CLUSTER_ARN] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [dataArn('topic', '*')] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [dataArn('group', '*')] }));
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
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })) });
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
  const consumers = [await bareConsumer(kafka, topics.bare, `${run}-bare`, bare)];
  const bareIam: number[] = [];
  const iamListener = KAFKA_ACLS && services.kafkaIamBrokers && services.kafkaIamCaFile
    ? { brokers: services.kafkaIamBrokers, ca: fs.readFileSync(services.kafkaIamCaFile, 'utf8') } : undefined;
  if (iamListener) {
    // The function's own principal, signing as the poller does (KafkaAclEnforcement.clientFor).
    const config: KafkaConfig = {
      clientId: 'bench-iam', brokers: iamListener.brokers.split(','), logLevel: logLevel.NOTHING, ssl: { ca: [iamListener.ca] },
      sasl: {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: signMskIamToken(REGION, { accessKeyId: accessKeyIdOf(functionName), secretAccessKey: LOCAL_SECRET_ACCESS_KEY }).token }),
      },
    };
    consumers.push(await bareConsumer(new Kafka(config), topics.bareIam, `${run}-bare-iam`, bareIam));
  }

  const producer = kafka.producer();
  await producer.connect();
  // Warm-up: the first invocation is a cold start, not what this measures.
  await producer.send({ topic: topics.emulated, messages: [{ value: JSON.stringify({ sentAt: now() }) }] });
  const cold = await emulator.waitFor((inv) => inv[0], 30000);
  emulated.length = 0;

  // Each path measured alone, in turns: the emulator's poller and the bare consumers run on this
  // process's one event loop, and records fetched by three consumers at once queue behind each
  // other's decoding (the last one decoded waits ≈ 0.3 ms per other, a bias of the order, not of
  // the path). The turns rotate so that no path always follows the same one.
  const sinks = { emulated, bare, bareIam };
  const paths = (['emulated', 'bare', 'bareIam'] as const).filter((k) => k !== 'bareIam' || iamListener);
  const rounds: Array<{ emulated: number[]; bare: number[]; bareIam: number[] }> = [];
  // Round -1 warms every path (JIT, TLS session, worker) and is not counted: the first counted
  // round was the slowest of five in three runs out of three without it.
  for (let round = -1; round < ROUNDS; round++) {
    const got = { emulated: [] as number[], bare: [] as number[], bareIam: [] as number[] };
    for (let turn = 0; turn < paths.length; turn++) {
      const path = paths[(round + 1 + turn) % paths.length];
      for (let i = 0; i < RECORDS; i++) {
        await producer.send({ topic: topics[path], messages: [{ value: JSON.stringify({ i, sentAt: now() }) }] });
        await new Promise((r) => setTimeout(r, GAP_MS));
      }
      const deadline = Date.now() + 30000;
      while (sinks[path].length < RECORDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      got[path] = sinks[path].splice(0);
    }
    if (round >= 0) rounds.push(got);
  }

  await producer.disconnect();
  for (const consumer of consumers) await consumer.disconnect();
  await emulator.stop();
  await services.stop();
  fs.rmSync(outdir, { recursive: true, force: true });

  const all = (k: 'emulated' | 'bare' | 'bareIam') => rounds.flatMap((r) => r[k]);
  const e = stats(all('emulated'));
  const b = stats(all('bare'));
  const bi = iamListener ? stats(all('bareIam')) : undefined;
  const ratio = (a: number, c: number) => Math.round((a / c) * 100) / 100;
  const perRound = rounds.map((r) => {
    const [re, rb] = [stats(r.emulated).p50, stats(r.bare).p50];
    const rbi = iamListener ? stats(r.bareIam).p50 : undefined;
    return { emulatedP50: re, bareP50: rb, bareIamP50: rbi, p50Ratio: ratio(re, rb), p50RatioSameTransport: rbi ? ratio(re, rbi) : undefined };
  });
  const median = (values: number[]) => stats(values).p50;
  const p50Ratio = median(perRound.map((r) => r.p50Ratio));
  const p50RatioSameTransport = iamListener ? median(perRound.map((r) => r.p50RatioSameTransport!)) : undefined;
  const result = {
    benchmark: 'esm-latency',
    description: 'produce → handler start (emulated ESM, batching window 0) vs produce → eachMessage (bare kafkajs consumers: plaintext listener, and the IAM listener as the function), same broker, same run, each path alone in rotating turns; ratios are the median over rounds of each round\'s p50 ratio',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    records: RECORDS,
    rounds: ROUNDS,
    gapMs: GAP_MS,
    kafkaAcls: KAFKA_ACLS && services.kafkaIamBrokers !== undefined,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    emulatedMs: e,
    bareKafkajsMs: b,
    bareKafkajsIamMs: bi,
    perRound,
    emulatorStartMs: Math.round(emulatorStartMs),
    coldInvocationMs: cold.durationMs,
    p50Ratio,
    p50RatioSameTransport,
    // Issue 13: the emulator's added latency ≤ 1.2× bare kafkajs at p50 with enforcement on.
    goals: { p50RatioAtMost: 1.2, p50BelowMs: 20 },
    met: { p50Ratio: p50Ratio <= 1.2, p50RatioSameTransport: p50RatioSameTransport === undefined ? undefined : p50RatioSameTransport <= 1.2, p50: e.p50 < 20 },
  };
  writeResult('esm-latency', result);
}

/** A consumer group member that records produce → eachMessage latency into `sink`, joined before it returns. */
async function bareConsumer(kafka: Kafka, topic: string, groupId: string, sink: number[]) {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let joined!: () => void;
  const join = new Promise<void>((r) => { joined = r; });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    eachMessage: async ({ message }) => {
      const received = now();
      sink.push(received - JSON.parse(message.value!.toString()).sentAt);
    },
  });
  await join;
  return consumer;
}

runBenchmark(main);
