import { ConsumerEnv } from '../../../lambdas/runtime/consumer-env';
import type { ResourceView, Rule, RuleContext } from '../rule';
import { describe, environmentOf, isKafkaMapping } from '../private/resources';

/** Kafka consumers with nowhere to put a record they cannot process. */
export const KafkaConsumerDeadLetter: Rule = {
  name: 'KafkaConsumerDeadLetter',
  info: `The function a Kafka event source mapping invokes has no dead-letter path: no ${ConsumerEnv.DEAD_LETTER_TOPIC} or ${ConsumerEnv.DEAD_LETTER_QUEUE_URL} in its environment (where the runtime writes after its bounded attempts) and no on-failure destination on the mapping.`,
  explanation: 'A Kafka mapping retries a failing batch until it succeeds (on-demand pollers have no retry limit), so one poison record blocks its partition for every later record, or, when the function gives up on it, is lost. A dead-letter topic or queue keeps the record and lets the partition move on. See https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html',
  severity: 'error',
  resourceTypes: ['AWS::Lambda::EventSourceMapping'],
  check(mapping: ResourceView, context: RuleContext): string[] {
    const p = mapping.properties;
    if (!isKafkaMapping(p)) return [];
    if (p.DestinationConfig?.OnFailure?.Destination !== undefined) return [];
    // A function out of view (another stack in the nag pack, an imported ARN) cannot be judged.
    const fn = context.referenced(mapping, p.FunctionName);
    if (!fn || fn.type !== 'AWS::Lambda::Function') return [];
    const env = environmentOf(fn);
    if (env[ConsumerEnv.DEAD_LETTER_TOPIC] !== undefined || env[ConsumerEnv.DEAD_LETTER_QUEUE_URL] !== undefined) return [];
    return [`function ${describe(fn)} has no dead-letter path: no ${ConsumerEnv.DEAD_LETTER_TOPIC} or ${ConsumerEnv.DEAD_LETTER_QUEUE_URL} in its environment and no on-failure destination on the mapping`];
  },
};
