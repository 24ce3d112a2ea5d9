import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { existingKafkaBrokers } from './endpoints';

interface PublishOptions {
  type: string;
  data?: string;
  key?: string;
  source: string;
  subject?: string;
  ext: string[];
  brokers?: string;
}

/** `msk-pipelines publish <topic>`: one CloudEvent onto a topic of the local (or named) broker. */
export function register(program: Command): void {
  program
    .command('publish')
    .description('publish one CloudEvents 1.0 event (structured JSON) to a topic')
    .argument('<topic>', 'topic name')
    .requiredOption('-t, --type <type>', 'CloudEvents type, for example com.example.order.created')
    .option('-d, --data <json>', 'event data as JSON', '{}')
    .option('-k, --key <key>', 'Kafka key (the ordering entity; default: the subject, else none)')
    .option('-s, --source <source>', 'CloudEvents source', 'msk-pipelines/cli')
    .option('--subject <subject>', 'CloudEvents subject')
    .option('-e, --ext <name=value>', 'extension attribute, for example runid=r-1 (repeatable)', collect, [])
    .option('-b, --brokers <brokers>', 'bootstrap servers (default: KAFKA_BROKERS, else a running `services`)')
    .action(async (topic: string, options: PublishOptions) => {
      const brokers = existingKafkaBrokers(options.brokers);
      if (!brokers) {
        throw new Error('No Kafka to publish to: run `npm run local -- services` in another terminal, or set KAFKA_BROKERS / --brokers.');
      }
      const event = createEvent({
        type: options.type,
        source: options.source,
        subject: options.subject,
        data: parseData(options.data ?? '{}'),
        extensions: parseExtensions(options.ext),
      });
      const key = options.key ?? options.subject;
      const producer = new Kafka({ clientId: 'msk-pipelines-cli', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
        .producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const [meta] = await producer.send({ topic, messages: [{ key, value: encodeEvent(event) }] }).catch((err: Error) => {
          throw /does not host this topic-partition|UNKNOWN_TOPIC/i.test(err.message)
            ? new Error(`Topic '${topic}' does not exist on ${brokers}; \`msk-pipelines list\` shows the graph's topics.`)
            : err;
        });
        process.stdout.write(`published ${event.id} (${event.type}) to ${topic} partition ${meta.partition} offset ${meta.baseOffset}\n`);
      } finally {
        await producer.disconnect();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseData(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new Error(`--data must be JSON: ${(err as Error).message}`);
  }
}

/** `name=value` pairs; numbers and booleans keep their type, as extension attributes allow. */
export function parseExtensions(pairs: readonly string[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--ext must look like name=value, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    out[pair.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}
