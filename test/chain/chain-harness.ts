import * as fs from 'fs';
import { App, Stack } from 'aws-cdk-lib';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Consumer, Producer } from 'kafkajs';
import { decodeEvent, type CloudEvent } from '../../lambdas/runtime/cloudevents';
import { ChainClient, ChainGraph, type ChainDeclaration } from '../../lib/chain';
import { KafkaCluster } from '../../lib/cluster';
import { LatencyProfile } from '../../lib/consumer';
import { Emulator } from '../../lib/local/emulator';
import { ExampleChainStack, FORK_JOIN_CHAIN, NIGHTLY_CHAIN } from '../../lib/examples/chain-stacks';
import { documentClient, kafkaClient, serviceEndpoints, uniqueName, waitFor } from '../support/services';
import { synthToDir } from '../support/synth';

/**
 * One emulated app with both example chains under unique names (so topics, groups and run
 * state never collide with other test files), a client per chain, and a reader of each chain's
 * topic that collects every event.
 */
export interface ChainHarness {
  emulator: Emulator;
  clients: Record<'nightly' | 'forkjoin', ChainClient>;
  events: Record<'nightly' | 'forkjoin', CloudEvent[]>;
  db: DynamoDBDocumentClient;
  dataTable: (chain: 'nightly' | 'forkjoin') => string;
  logs: string[];
  /** Stack name of each chain. */
  stacks: Record<'nightly' | 'forkjoin', string>;
  /** Resolves when every task mapping of the chain has committed up to the end of the chain's topic. */
  drained: (chain: 'nightly' | 'forkjoin') => Promise<void>;
  stop: () => Promise<void>;
}

export async function startChainHarness(options: { latency?: LatencyProfile } = {}): Promise<ChainHarness> {
  const suffix = uniqueName('c').replace(/[^a-z0-9]/g, '').slice(-10);
  const declarations: Record<'nightly' | 'forkjoin', ChainDeclaration> = {
    nightly: { ...NIGHTLY_CHAIN, name: `nightly${suffix}` },
    forkjoin: { ...FORK_JOIN_CHAIN, name: `forkjoin${suffix}` },
  };
  const stackNames = { nightly: `Nightly${suffix}`, forkjoin: `ForkJoin${suffix}` };
  const dir = synthToDir((app: App) => {
    const foundation = new Stack(app, `Foundation${suffix}`);
    const cluster = new KafkaCluster(foundation, 'Cluster');
    for (const key of ['nightly', 'forkjoin'] as const) {
      new ExampleChainStack(app, stackNames[key], declarations[key], { cluster, faultInjection: true, retryBackoffMs: 50, latency: options.latency });
    }
  });
  const logs: string[] = [];
  const emulator = await Emulator.start({
    assemblyDir: dir,
    services: serviceEndpoints(),
    stacks: Object.values(stackNames),
    onLog: (line) => {
      logs.push(line);
      if (process.env.CHAIN_TEST_LOG) process.stdout.write(`${line}\n`);
    },
  });
  const kafka = kafkaClient();
  const producer: Producer = kafka.producer();
  await producer.connect();
  const db = documentClient();
  const tableOf = (key: 'nightly' | 'forkjoin', prefix: string) => {
    const table = emulator.tables.find((t) => t.stack === stackNames[key] && t.logicalId.startsWith(prefix));
    if (!table) throw new Error(`no ${prefix} table in ${stackNames[key]}`);
    return table.name;
  };
  const clients = {
    nightly: new ChainClient({ graph: ChainGraph.of(declarations.nightly), producer, db, joinTableName: tableOf('nightly', 'ChainJoinTable'), requestedBy: 'test' }),
    forkjoin: new ChainClient({ graph: ChainGraph.of(declarations.forkjoin), producer, db, joinTableName: tableOf('forkjoin', 'ChainJoinTable'), requestedBy: 'test' }),
  };
  const events: ChainHarness['events'] = { nightly: [], forkjoin: [] };
  const consumers: Consumer[] = [];
  for (const key of ['nightly', 'forkjoin'] as const) {
    const consumer = kafka.consumer({ groupId: uniqueName('chain-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: clients[key].topicName, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void events[key].push(decodeEvent(message.value)) });
    consumers.push(consumer);
  }
  return {
    emulator,
    clients,
    events,
    db,
    logs,
    stacks: stackNames,
    dataTable: (key) => tableOf(key, 'DataTable'),
    drained: async (key) => {
      const topic = clients[key].topicName;
      const groups = emulator.mappings.filter((m) => m.topics.includes(topic)).map((m) => m.consumerGroupId);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await waitFor(async () => {
          const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
          for (const groupId of groups) {
            const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
            if (!committed.partitions.every((p) => Number(p.offset) >= (ends.get(p.partition) ?? 0) || (ends.get(p.partition) ?? 0) === 0)) return false;
          }
          return true;
        }, { timeoutMs: 60_000, description: `the mappings of ${topic} caught up` });
      } finally {
        await admin.disconnect();
      }
    },
    stop: async () => {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await producer.disconnect();
      await emulator.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Events of one run (and optionally one type and task). */
export function runEvents(events: CloudEvent[], runId: string, type?: string, task?: string): CloudEvent[] {
  return events.filter((e) => e.runid === runId && (!type || e.type === type) && (!task || e.task === task));
}

/** A run id unique to this test run, so state left in DynamoDB Local never matters. */
export function testRunId(label: string): string {
  return `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}
