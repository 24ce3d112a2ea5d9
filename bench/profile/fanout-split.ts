/**
 * Profile (not part of `npm run bench`): where a fan-out burst's time goes in local mode. Sends
 * EVENTS posts (default 1500) through the three emulated post consumers and prints, per
 * consumer and partition, the invocations, records, time inside invocations (`busyMs`), the span
 * from the first publish to the partition's last invocation end, the mean gap between one
 * invocation's end and the next one's start (commit + fetch: the mapping runner's own cost) and
 * the time per record inside invocations. LOW=1 for the low-latency profile.
 *
 *   KAFKA_BROKERS=… DYNAMODB_ENDPOINT=… npx tsx bench/profile/fanout-split.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { App, Stack } from 'aws-cdk-lib';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaCluster } from '../../lib/cluster';
import { LatencyProfile } from '../../lib/consumer';
import { Emulator } from '../../lib/local/emulator';
import { PostConsumersStack } from '../../lib/examples/post-consumers-stack';
import { PostPublisherStack } from '../../lib/examples/post-publisher-stack';
import { eventMessage } from '../../lambdas/runtime/event-message';
import { postPublishedEvent } from '../../lambdas/examples/post-publisher/post';
const EVENTS = Number(process.env.EVENTS ?? 1500);
async function main() {
  const run = randomUUID().slice(0, 8);
  const topicName = `prof-posts-${run}`;
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'prof-fanout-'));
  const app = new App({ outdir });
  const cluster = new KafkaCluster(new Stack(app, 'Foundation'), 'Cluster');
  const latency = process.env.LOW ? LatencyProfile.LOW_LATENCY : LatencyProfile.ECONOMICAL;
  const publisher = new PostPublisherStack(app, 'PostPublisher', { cluster, topicName, partitions: 3 });
  const consumers = new PostConsumersStack(app, 'PostConsumers', { cluster, topicName, partitions: 3, latency });
  consumers.addStackDependency(publisher);
  app.synth();
  const services = { kafkaBrokers: process.env.KAFKA_BROKERS!, dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT! };
  let logs = 0;
  const emulator = await Emulator.start({ assemblyDir: outdir, services, stacks: ['PostPublisher', 'PostConsumers'], onLog: () => { logs++; } });
  const kafka = new Kafka({ clientId: 'prof', brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer(); await producer.connect();
  const names = emulator.functions.filter((f) => f.stack === 'PostConsumers' && /^Posts(Recruitment|RealEstate|SecondHand)Function/.test(f.logicalId)).map((f) => f.name);
  const processed = (n: number) => emulator.waitFor((inv) => names.every((name) => inv.filter((i) => i.functionName === name && i.outcome === 'succeeded').reduce((k, i) => k + i.eventIds.length, 0) >= n), 600_000);
  const mk = (n: number) => postPublishedEvent({ postId: `p-${run}-${n}`, authorId: `a-${run}-${n}`, title: 't', publishedAt: new Date().toISOString() }, 'urn:bench');
  await producer.send({ topic: topicName, acks: -1, messages: Array.from({ length: 12 }, (_, n) => eventMessage(mk(-1 - n))) });
  await processed(12);
  await new Promise((r) => setTimeout(r, 1000));
  const before = emulator.invocations.length;
  const start = Date.now();
  for (let i = 0; i < EVENTS; i += 100) await producer.send({ topic: topicName, acks: -1, messages: Array.from({ length: Math.min(100, EVENTS - i) }, (_, j) => eventMessage(mk(i + j))) });
  await processed(12 + EVENTS);
  const end = Date.now();
  const invs = emulator.invocations.slice(before);
  for (const name of names) {
    const mine = invs.filter((i) => i.functionName === name);
    const byPart = new Map<string, typeof mine>();
    for (const i of mine) { const p = i.records!.split('@')[0]; byPart.set(p, [...(byPart.get(p) ?? []), i]); }
    const parts = [...byPart.entries()].map(([p, l]) => {
      const busy = l.reduce((s, i) => s + i.durationMs, 0);
      const last = Math.max(...l.map((i) => Date.parse(i.end)));
      const gaps = l.slice(1).map((i, k) => Date.parse(i.start) - Date.parse(l[k].end));
      return { p, invocations: l.length, records: l.reduce((s, i) => s + i.recordCount, 0), busyMs: busy, spanMs: last - start, firstStartMs: Date.parse(l[0].start) - start, meanGapMs: Math.round(gaps.reduce((a, b) => a + b, 0) / Math.max(1, gaps.length)), msPerRecord: +(busy / l.reduce((s, i) => s + i.recordCount, 0)).toFixed(1) };
    });
    console.log(name.slice(0, 40), JSON.stringify(parts));
  }
  console.log(JSON.stringify({ events: EVENTS, wallMs: end - start, eventsPerSecond: Math.round(EVENTS / ((end - start) / 1000) * 10) / 10, logLines: logs, load: os.loadavg() }));
  await producer.disconnect();
  await emulator.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
