import { Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import { deadLetterConsumers, DeadLetterConsumer, findDeadLetterConsumer } from '../dead-letter/consumers';
import { countDeadLetters, DEFAULT_REDRIVE_BATCH, listDeadLetters, redrive } from '../dead-letter/redrive';
import { parseRecordRefs } from '../dead-letter/select';
import { deadLetterLines, deadLetterView } from '../dead-letter/view';
import { loadAssembly } from '../local/emulator/assembly';
import { cliKafka, kafkaConnectionOptions, KafkaConnectionOptions } from './kafka-connection';

interface DlqOptions extends KafkaConnectionOptions {
  assembly: string;
  deadLetterTopic?: string;
  sourceTopic?: string;
  json?: boolean;
}

const write = (text: string): void => void process.stdout.write(`${text}\n`);

/** The consumer the command is about: from the assembly, or spelled out with --dead-letter-topic. */
function consumerFor(query: string, options: DlqOptions): DeadLetterConsumer {
  if (options.deadLetterTopic) {
    return { name: query, functionName: '', consumerGroupId: '', deadLetterTopic: options.deadLetterTopic, sourceTopics: options.sourceTopic ? [options.sourceTopic] : [] };
  }
  return findDeadLetterConsumer(consumersOf(options.assembly), query);
}

function consumersOf(assembly: string): DeadLetterConsumer[] {
  try {
    return deadLetterConsumers(loadAssembly(assembly, { kafkaBrokers: '<kafka>', dynamodbEndpoint: '<dynamodb>' }));
  } catch (e) {
    throw new Error(`cannot read the consumers from ${assembly} (synthesize first, or name the topic with --dead-letter-topic): ${(e as Error).message}`, { cause: e });
  }
}

async function withAdmin<T>(options: DlqOptions, fn: (kafka: Kafka, admin: Admin) => Promise<T>): Promise<T> {
  const kafka = await cliKafka(options, 'msk-pipelines-dlq');
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(kafka, admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function dlqOptions(cmd: Command): Command {
  return kafkaConnectionOptions(cmd)
    .option('-a, --assembly <dir>', 'cloud assembly naming the consumers and their dead-letter topics', 'cdk.out')
    .option('--dead-letter-topic <topic>', 'the dead-letter topic, instead of looking the consumer up in the assembly')
    .option('--source-topic <topic>', 'where records go whose dead letter does not name its source (default: the topic the consumer reads)')
    .option('--json', 'print JSON');
}

/**
 * `msk-pipelines dlq list|show|redrive`: the dead letters of a consumer, why each failed, and
 * their redrive to the topic they failed on — once each, even when interrupted and run again
 * (docs/console.md). Locally and against a deployed cluster (`--cluster-arn`, IAM auth).
 */
export function register(program: Command): void {
  const dlq = program.command('dlq').description("consumers' dead-letter topics: list, show and redrive dead letters");

  dlqOptions(dlq.command('list').description('every consumer with a dead-letter topic and its pending dead letters, or one consumer\'s dead letters').argument('[consumer]'))
    .action(async (query: string | undefined, options: DlqOptions) => {
      if (query) {
        const consumer = consumerFor(query, options);
        const listing = await withAdmin(options, (kafka, admin) => listDeadLetters(kafka, admin, consumer.deadLetterTopic));
        const views = listing.records.map((r) => deadLetterView(r, 120));
        if (options.json) return write(JSON.stringify({ consumer, records: views, unreadable: listing.unreadable }, null, 2));
        write(`${consumer.name}: ${views.length} dead letter(s) on ${consumer.deadLetterTopic}, ${views.filter((v) => v.state === 'pending').length} pending`);
        if (views.length > 0) deadLetterLines(views).forEach((l) => write(l));
        for (const u of listing.unreadable) write(`${u.partition}:${u.offset}  unreadable: ${u.error}`);
        return;
      }
      const consumers = consumersOf(options.assembly);
      const rows = await withAdmin(options, (_kafka, admin) => Promise.all(consumers.map(async (c) => ({ consumer: c, ...(await countDeadLetters(admin, c.deadLetterTopic)) }))));
      if (options.json) return write(JSON.stringify(rows, null, 2));
      for (const r of rows) write(`${r.consumer.name.padEnd(24)} ${r.consumer.deadLetterTopic.padEnd(48)} ${r.pending} pending / ${r.total}`);
    });

  dlqOptions(dlq.command('show').description('dead letters of a consumer in full: value, failure reason, attempts, original headers').argument('<consumer>'))
    .option('--offset <partition:offset...>', 'only these dead letters (default: every pending one)')
    .action(async (query: string, options: DlqOptions & { offset?: string[] }) => {
      const consumer = consumerFor(query, options);
      const chosen = parseRecordRefs(options.offset);
      const listing = await withAdmin(options, (kafka, admin) => listDeadLetters(kafka, admin, consumer.deadLetterTopic));
      const views = listing.records
        .filter((r) => (chosen ? chosen.has(`${r.record.partition}:${r.record.offset}`) : r.state === 'pending'))
        .map((r) => deadLetterView(r));
      if (options.json) return write(JSON.stringify(views, null, 2));
      if (views.length === 0) write(`${consumer.name}: no ${chosen ? 'such' : 'pending'} dead letter on ${consumer.deadLetterTopic}`);
      for (const v of views) {
        write(`── ${consumer.deadLetterTopic} ${v.partition}:${v.offset} (${v.state}, ${v.time})`);
        write(`   failed record  ${v.source}  key ${v.key ?? '(none)'}  ${[v.type, v.id].filter(Boolean).join(' ')}`);
        write(`   reason         ${v.reason}`);
        write(`   attempts       ${v.attempts ?? '?'} (written by ${v.writer === 'runtime' ? 'the function runtime' : "Lambda's on-failure destination"}), redriven ${v.redriveCount} time(s) before`);
        write(`   headers        ${v.headers.join(', ') || '(none)'}`);
        write(`   value          ${v.value}`);
      }
    });

  dlqOptions(dlq.command('redrive').description('republish dead letters to the topic they failed on (original key and headers, plus x-redrive-count), once each').argument('<consumer>'))
    .option('--offset <partition:offset...>', 'these dead letters (earlier unchosen ones of the same partition are passed over)')
    .option('--all', 'every pending dead letter')
    .option('--batch-size <n>', `dead letters per transaction (default ${DEFAULT_REDRIVE_BATCH})`)
    .action(async (query: string, options: DlqOptions & { offset?: string[]; all?: boolean; batchSize?: string }) => {
      const chosen = parseRecordRefs(options.offset);
      if (!chosen && !options.all) throw new Error('choose the dead letters to redrive: --all, or --offset partition:offset…');
      if (chosen && options.all) throw new Error('--all and --offset exclude each other');
      const consumer = consumerFor(query, options);
      const sourceTopic = options.sourceTopic ?? (consumer.sourceTopics.length === 1 ? consumer.sourceTopics[0] : undefined);
      const result = await withAdmin(options, (kafka, admin) => redrive({
        kafka,
        admin,
        deadLetterTopic: consumer.deadLetterTopic,
        sourceTopic,
        select: chosen ? (r) => chosen.has(`${r.partition}:${r.offset}`) : undefined,
        batchSize: options.batchSize === undefined ? undefined : Number(options.batchSize),
        onRedriven: (r, to) => write(`redriven ${consumer.deadLetterTopic} ${r.partition}:${r.offset} → ${to.topic}-${to.partition}@${to.offset} (redrive ${r.redriveCount + 1})`),
      }));
      if (options.json) return write(JSON.stringify(result, null, 2));
      write(`${consumer.name}: ${result.redriven} redriven, ${result.passedOver} passed over, ${result.left} left pending${result.refused.length ? `, ${result.refused.length} refused` : ''}`);
      for (const r of result.refused) write(`  refused ${r.partition}:${r.offset}: ${r.reason}`);
      if (result.refused.length > 0) process.exitCode = 1;
    });
}
