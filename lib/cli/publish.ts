import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { createEvent } from '../../lambdas/runtime/cloudevents';
import { eventMessage } from '../../lambdas/runtime/event-message';
import { existingKafkaBrokers } from './endpoints';

interface PublishOptions {
  type: string;
  data?: string;
  key?: string;
  id?: string;
  source: string;
  subject?: string;
  ext: string[];
  header: string[];
  brokers?: string;
}

/**
 * `msk-pipelines publish <topic>`: one CloudEvent onto a topic of the local (or named) broker,
 * written as every producer of the project writes it (`eventMessage`).
 */
export function register(program: Command): void {
  program
    .command('publish')
    .description('publish one CloudEvents 1.0 event (structured JSON, content-type application/cloudevents+json) to a topic')
    .argument('<topic>', 'topic name')
    .requiredOption('-t, --type <type>', 'CloudEvents type, for example com.example.order.created')
    .option('-d, --data <json>', 'event data as JSON', '{}')
    .option('-k, --key <key>', 'Kafka key (the ordering entity; default: the subject, else the event id)')
    .option('--id <id>', 'CloudEvents id (default: a new UUID); give an earlier id to re-send that event, as a duplicate')
    .option('-s, --source <source>', 'CloudEvents source', 'msk-pipelines/cli')
    .option('--subject <subject>', 'CloudEvents subject')
    .option('-e, --ext <name=value>', 'extension attribute, for example runid=r-1 (repeatable)', collect, [])
    .option('-H, --header <name=value>', 'Kafka record header, for example traceparent=00-… (repeatable)', collect, [])
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
        id: options.id,
        data: parseData(options.data ?? '{}'),
        extensions: parseExtensions(options.ext),
      });
      const message = eventMessage(event, { key: options.key, headers: parseHeaders(options.header) });
      const producer = new Kafka({ clientId: 'msk-pipelines-cli', brokers: brokers.split(','), logLevel: logLevel.NOTHING })
        .producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const [meta] = await producer.send({ topic, acks: -1, messages: [message] }).catch((err: Error) => {
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
    throw new Error(`--data must be JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** `name=value` pairs of `option`, split at the first '='. */
function pairs(option: string, values: readonly string[]): Array<[string, string]> {
  return values.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${option} must look like name=value, got '${pair}'`);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

/** `name=value` pairs; numbers and booleans keep their type, as extension attributes allow. */
export function parseExtensions(values: readonly string[]): Record<string, string | number | boolean> {
  return Object.fromEntries(pairs('--ext', values).map(([name, raw]) => [name, raw === 'true' ? true : raw === 'false' ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw]));
}

/** `name=value` record headers; a name given twice is refused rather than silently overwritten. */
export function parseHeaders(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs('--header', values)) {
    if (name in out) throw new Error(`--header ${name} is given twice`);
    out[name] = value;
  }
  return out;
}
