/**
 * Task chains in local mode. Writes bench/results/chain.json:
 *
 * - hop latency: upstream task.succeeded produced (its Kafka record timestamp) → downstream task
 *   function started, over a chain a → b → c (low-latency profile: batching window 0), next to a
 *   bare kafkajs produce → eachMessage on the same broker in the same run, and to a bare
 *   conditional PutItem on DynamoDB Local (the claim a hop cannot do without) in the same moments;
 * - makespan of a 10-task chain (layers of 3, each task sleeping TASK_MS) against the sum of
 *   its task durations;
 * - synth time (esbuild bundling included) and resource count of a 100-task chain.
 *
 *   KAFKA_BROKERS=127.0.0.1:19092 DYNAMODB_ENDPOINT=http://127.0.0.1:18000 npx tsx bench/chain.ts
 *
 * Without those variables the local services are started (and stopped) here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { JoinStore } from '../lambdas/runtime/chain/join-store';
import { decodeEvent, type CloudEvent } from '../lambdas/runtime/cloudevents';
import { ChainClient, ChainGraph, TaskChain, type TaskDeclaration } from '../lib/chain';
import { KafkaCluster } from '../lib/cluster';
import { LatencyProfile } from '../lib/consumer';
import { Emulator } from '../lib/local/emulator';
import { DUMMY_CREDENTIALS, LOCAL_REGION, LocalServices } from '../lib/local/services';
import { layeredTasks, SLEEP_TASK_ENTRY } from '../test/chain/chain-fixtures';
import { runBenchmark, stats, writeResult } from './support/stats';

const HOP_RUNS = Number(process.env.HOP_RUNS ?? 100);
const TASK_MS = Number(process.env.TASK_MS ?? 200);
const MAKESPAN_RUNS = Number(process.env.MAKESPAN_RUNS ?? 3);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


interface Seen {
  event: CloudEvent;
  timestamp: number;
}

function synthHundred(): { synthMs: number; resources: number; templates: number; largestTemplate: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chain100-'));
  const t0 = now();
  const app = new App({ outdir });
  const stack = new Stack(app, 'Chain100');
  new TaskChain(stack, 'Chain', { cluster: new KafkaCluster(stack, 'Cluster'), chainName: 'hundred', tasks: layeredTasks(100) });
  app.synth();
  const synthMs = now() - t0;
  const counts = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, f), 'utf8')).Resources ?? {}).length);
  fs.rmSync(outdir, { recursive: true, force: true });
  return { synthMs: Math.round(synthMs), resources: counts.reduce((a, b) => a + b, 0), templates: counts.length, largestTemplate: Math.max(...counts) };
}

async function main(): Promise<void> {
  const synth100 = synthHundred();
  process.stdout.write(`100-task chain: ${JSON.stringify(synth100)}\n`);

  const services = await LocalServices.start({ handleSignals: true });
  const id = `b${Date.now().toString(36)}`;
  const hopTasks: TaskDeclaration[] = [
    { name: 'a', entry: SLEEP_TASK_ENTRY },
    { name: 'b', entry: SLEEP_TASK_ENTRY, dependsOn: ['a'] },
    { name: 'c', entry: SLEEP_TASK_ENTRY, dependsOn: ['b'] },
  ];
  const tenTasks = layeredTasks(10, 3);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-chain-'));
  const app = new App({ outdir });
  const stack = new Stack(app, `ChainBench${id}`);
  const cluster = new KafkaCluster(stack, 'Cluster');
  const hop = new TaskChain(stack, 'Hop', { cluster, chainName: `hop${id}`, tasks: hopTasks, latency: LatencyProfile.LOW_LATENCY, partitions: 1 });
  const ten = new TaskChain(stack, 'Ten', { cluster, chainName: `ten${id}`, tasks: tenTasks, latency: LatencyProfile.LOW_LATENCY, environment: { TASK_SLEEP_MS: String(TASK_MS) } });
  app.synth();
  

  const emulator = await Emulator.start({ assemblyDir: outdir, services: { kafkaBrokers: services.kafkaBrokers, dynamodbEndpoint: services.dynamodbEndpoint }, onLog: () => undefined });
  const joinTable = (chain: TaskChain): string => emulator.tables.find((t) => t.logicalId === stack.resolve(stack.getLogicalId(chain.joinTable.node.defaultChild as never)))!.name;
  const kafka = new Kafka({ clientId: 'bench', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: services.dynamodbEndpoint, region: LOCAL_REGION, credentials: DUMMY_CREDENTIALS }));
  const clients = {
    hop: new ChainClient({ graph: ChainGraph.of({ name: hop.chainName, tasks: hopTasks }), producer, db, joinTableName: joinTable(hop) }),
    ten: new ChainClient({ graph: ChainGraph.of({ name: ten.chainName, tasks: tenTasks }), producer, db, joinTableName: joinTable(ten) }),
  };

  // Readers of the chain topics (record timestamps = when the producer sent) and a bare topic.
  const seen: Seen[] = [];
  const bare: number[] = [];
  const bareTopic = `${id}-bare`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: bareTopic, numPartitions: 1 }] });
  await admin.disconnect();
  const reader = kafka.consumer({ groupId: `${id}-reader`, maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [clients.hop.topicName, clients.ten.topicName, bareTopic], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => {
      if (topic === bareTopic) bare.push(now() - Number(message.timestamp));
      else seen.push({ event: decodeEvent(message.value), timestamp: Number(message.timestamp) });
    },
  });
  const find = (runId: string, type: string, task: string) => seen.find((s) => s.event.runid === runId && s.event.type === type && s.event.task === task);
  const waitUntil = async <T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  };

  // Warm-up run: cold starts are not hops.
  await clients.hop.requestRuns([`${id}-warm`]);
  await waitUntil('warm-up run', () => find(`${id}-warm`, 'task.succeeded', 'c'));

  // The claim's own cost: the runner's own claim call on the same table, with nothing else around it.
  const probeStore = new JoinStore(db, joinTable(hop));
  const bareClaim = async (key: string): Promise<number> => {
    const t0 = now();
    await probeStore.claim('bench', key, 'probe', 0, key, 60_000);
    return now() - t0;
  };
  const claims: number[] = [];
  await bareClaim(`${id}-warm`);

  const hops: number[] = [];
  for (let i = 0; i < HOP_RUNS; i++) {
    const runId = `${id}-hop-${i}`;
    await clients.hop.requestRuns([runId]);
    // The bare round trips are measured in the same moments, on the same broker and table.
    await producer.send({ topic: bareTopic, messages: [{ value: runId }] });
    claims.push(await bareClaim(`${runId}-1`));
    const c = await waitUntil(`run ${runId}`, () => find(runId, 'task.succeeded', 'c'));
    for (const [up, down] of [['a', 'b'], ['b', 'c']]) {
      const upstream = find(runId, 'task.succeeded', up)!;
      const downstream = down === 'c' ? c : find(runId, 'task.succeeded', down)!;
      hops.push((downstream.event.data as { result: { startedAtMs: number } }).result.startedAtMs - upstream.timestamp);
    }
    await producer.send({ topic: bareTopic, messages: [{ value: `${runId}-2` }] });
    claims.push(await bareClaim(`${runId}-2`));
    await sleep(20);
  }
  await waitUntil('bare records', () => bare.length >= HOP_RUNS * 2 || undefined, 10_000);

  const makespans: Array<{ makespanMs: number; sumOfTaskMs: number; criticalPathTasks: number }> = [];
  let coldMakespan: (typeof makespans)[number] | undefined;
  // Run 0 starts the ten functions cold; it is reported apart.
  for (let i = 0; i <= MAKESPAN_RUNS; i++) {
    const runId = `${id}-ten-${i}`;
    const requestedAt = now();
    await clients.ten.requestRuns([runId]);
    const statuses = await waitUntil(`10-task run ${runId}`, () => {
      const all = tenTasks.map((t) => find(runId, 'task.succeeded', t.name));
      return all.every(Boolean) ? all : undefined;
    }, 120_000);
    const durations = statuses.map((s) => {
      const d = s!.event.data as { startedAt: string; finishedAt: string };
      return Date.parse(d.finishedAt) - Date.parse(d.startedAt);
    });
    const lastFinish = Math.max(...statuses.map((s) => s!.timestamp));
    const m = { makespanMs: Math.round(lastFinish - requestedAt), sumOfTaskMs: durations.reduce((a, b) => a + b, 0), criticalPathTasks: clients.ten.graph.depth() };
    if (i === 0) coldMakespan = m;
    else makespans.push(m);
  }

  await reader.disconnect();
  await producer.disconnect();
  await emulator.stop();
  await services.stop();
  fs.rmSync(outdir, { recursive: true, force: true });

  const h = stats(hops);
  const b = stats(bare);
  const c = stats(claims);
  const median = [...makespans].sort((x, y) => x.makespanMs - y.makespanMs)[Math.floor(makespans.length / 2)];
  const result = {
    benchmark: 'chain',
    description: 'task chains in local mode (emulator, real Kafka, DynamoDB Local), low-latency profile',
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    hop: {
      what: 'upstream task.succeeded record timestamp → downstream task function start',
      samples: hops.length,
      chainMs: h,
      bareKafkajsMs: b,
      bareClaimMs: c,
      p50Ratio: Math.round((h.p50 / b.p50) * 100) / 100,
      p99Ratio: Math.round((h.p99 / b.p99) * 100) / 100,
      // What a hop cannot go below: the delivery plus the claim that makes the start exactly-once.
      floorP50Ms: Math.round((b.p50 + c.p50) * 100) / 100,
      p50OverFloor: Math.round((h.p50 / (b.p50 + c.p50)) * 100) / 100,
      goal: 'p50 ≤ 2× bare kafkajs produce → consume',
      met: h.p50 <= 2 * b.p50,
    },
    makespan: {
      what: `10 tasks in layers of 3 (depth ${clients.ten.graph.depth()}), each sleeping ${TASK_MS} ms; run.requested sent → last task.succeeded produced`,
      coldRun: coldMakespan,
      warmRuns: makespans,
      median,
      idealMs: clients.ten.graph.depth() * TASK_MS,
      speedupOverSequential: Math.round((median.sumOfTaskMs / median.makespanMs) * 100) / 100,
    },
    synth100: { ...synth100, what: '100-task chain (layers of 10) in one stack + nested stacks of 40 tasks, esbuild bundling included' },
  };
  writeResult('chain', result);
}

runBenchmark(main);
