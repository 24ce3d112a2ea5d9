import type { AssemblyModel } from '../local/emulator/model';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** A consumer that dead-letters to a Kafka topic, as a synthesized assembly declares it. */
export interface DeadLetterConsumer {
  /** The consumer's name (`POWERTOOLS_SERVICE_NAME`, which `KafkaConsumer` sets), else its function's. */
  readonly name: string;
  readonly functionName: string;
  readonly consumerGroupId: string;
  /** The topics its mapping reads: where redriven records go when a dead letter does not say. */
  readonly sourceTopics: readonly string[];
  readonly deadLetterTopic: string;
}

/**
 * Every consumer with a Kafka dead-letter topic: the mapping's `kafka://` on-failure destination,
 * or the runtime's `DEAD_LETTER_TOPIC` (the same topic for `KafkaConsumer`). The assembly also
 * describes a deployed app, so the same lookup serves `--cluster-arn`.
 */
export function deadLetterConsumers(model: Pick<AssemblyModel, 'mappings' | 'functions'>): DeadLetterConsumer[] {
  const out: DeadLetterConsumer[] = [];
  for (const m of model.mappings) {
    const fn = model.functions.find((f) => f.name === m.functionName);
    const topic = m.onFailure?.kind === 'kafka' ? m.onFailure.topic : fn?.environment.DEAD_LETTER_TOPIC;
    if (!topic) continue;
    out.push({
      name: fn?.environment[PowertoolsEnv.POWERTOOLS_SERVICE_NAME] ?? m.functionName,
      functionName: m.functionName,
      consumerGroupId: m.consumerGroupId,
      sourceTopics: m.topics,
      deadLetterTopic: topic,
    });
  }
  return out;
}

/**
 * The consumer `query` names: its name, consumer group id, function name or dead-letter topic.
 * Throws, listing the candidates, when none or several match.
 */
export function findDeadLetterConsumer(consumers: readonly DeadLetterConsumer[], query: string): DeadLetterConsumer {
  const exact = consumers.filter((c) => [c.name, c.consumerGroupId, c.functionName, c.deadLetterTopic].includes(query));
  const matches = exact.length > 0 ? exact : consumers.filter((c) => c.functionName.includes(query) || c.consumerGroupId.includes(query));
  const distinct = [...new Map(matches.map((c) => [c.deadLetterTopic, c])).values()];
  if (distinct.length === 1) return distinct[0];
  const names = (list: readonly DeadLetterConsumer[]) => list.map((c) => `${c.name} (${c.deadLetterTopic})`).join(', ');
  if (distinct.length === 0) throw new Error(`no consumer with a dead-letter topic matches '${query}'; consumers: ${names(consumers) || 'none'}`);
  throw new Error(`'${query}' matches ${distinct.length} consumers: ${names(distinct)}; name one by its consumer group id or dead-letter topic`);
}
