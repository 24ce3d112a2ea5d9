/**
 * Redrive benchmark: how fast `dlq redrive` republishes dead letters (Kafka transactions of up
 * to 50 dead letters: a send each, sendOffsets, commit), next to the same records sent one at a time by a
 * plain idempotent producer in the same run (what a redrive without exactly-once would cost).
 * Needs KAFKA_BROKERS (npm run bench provides it). Writes bench/results/redrive.json.
 *
 *   npx tsx bench/redrive.ts [records]
 */
import * as fs from 'fs';
import * as path from 'path';
import { Kafka, logLevel } from 'kafkajs';
import { redrive } from '../lib/dead-letter/redrive';

const RECORDS = Number(process.argv[2] ?? 300);

async function main(): Promise<void> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set (run through `npm run bench`, or start `msk-pipelines services`)');
  const kafka = new Kafka({ clientId: 'bench-redrive', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const run = `bench-redrive-${Date.now().toString(36)}`;
  const [source, dlt, plain] = [`${run}-source`, `${run}-source.c.dlt`, `${run}-plain`];
  await admin.createTopics({ topics: [source, dlt, plain].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
  const messages = Array.from({ length: RECORDS }, (_, i) => ({
    key: `key-${i}`,
    value: JSON.stringify({ specversion: '1.0', id: `ev-${i}`, type: 'post.published', source: 'bench', data: { i } }),
    headers: { 'x-source-topic': source, 'x-error-message': 'bench', 'x-attempts': '3' },
  }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: dlt, acks: -1, messages });

  let t = Date.now();
  const result = await redrive({ kafka, admin, deadLetterTopic: dlt });
  const redriveMs = Date.now() - t;

  t = Date.now();
  for (const m of messages) await producer.send({ topic: plain, acks: -1, messages: [m] });
  const plainMs = Date.now() - t;
  await producer.disconnect();
  await admin.deleteTopics({ topics: [source, dlt, plain] }).catch(() => undefined);
  await admin.disconnect();

  const out = {
    records: RECORDS,
    redriven: result.redriven,
    redriveMs,
    redrivePerSecond: Math.round((result.redriven / redriveMs) * 1000 * 10) / 10,
    plainSendMs: plainMs,
    plainSendPerSecond: Math.round((RECORDS / plainMs) * 1000 * 10) / 10,
    note: 'redrive: reads the topic, then one transaction per 50 dead letters (a send each, sendOffsets, commit); plain: one idempotent send per record',
  };
  const file = path.join(__dirname, 'results', 'redrive.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
