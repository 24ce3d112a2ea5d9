import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validate, validateNumber } from '../core/validate';

/** Topic-level configs MSK Serverless lets you set (all others are fixed). */
export const SERVERLESS_TOPIC_CONFIGS: ReadonlySet<string> = new Set([
  'cleanup.policy',
  'compression.type',
  'max.message.bytes',
  'message.timestamp.difference.max.ms',
  'message.timestamp.type',
  'retention.bytes',
  'retention.ms',
]);

/** MSK Serverless caps max.message.bytes at 8 MiB. */
export const SERVERLESS_MAX_MESSAGE_BYTES = 8388608;

/** MSK Serverless allows at most 2400 partitions per cluster, so no single topic can exceed it. */
export const SERVERLESS_MAX_PARTITIONS = 2400;

/**
 * Kafka's own topic-name rules: 1..249 characters of [a-zA-Z0-9._-], not '.' or '..'.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-msk-topic.html
 */
export function validateTopicName(scope: IConstruct, topicName: string): void {
  if (Token.isUnresolved(topicName)) return;
  validate(scope, topicName.length >= 1 && topicName.length <= 249,
    `topicName must be 1 to 249 characters long, got ${topicName.length} ('${topicName.slice(0, 40)}')`);
  validate(scope, topicName !== '.' && topicName !== '..', `topicName cannot be '.' or '..', got '${topicName}'`);
  validate(scope, /^[a-zA-Z0-9._-]+$/.test(topicName), `topicName may contain only [a-zA-Z0-9._-], got '${topicName}'`);
}

/**
 * Validates partitions, replication factor and configs against the cluster; unresolved tokens
 * are left to deploy time.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/serverless-config.html
 */
export function validateTopicSettings(scope: IConstruct, args: {
  partitions: number;
  replicationFactor: number;
  brokerCount: number;
  serverless: boolean;
  configs: Record<string, string>;
}): void {
  const { partitions, replicationFactor, brokerCount, serverless, configs } = args;
  validateNumber(scope, 'partitions', partitions, { min: 1 });
  if (serverless) validateNumber(scope, 'partitions', partitions, { max: SERVERLESS_MAX_PARTITIONS, words: `<= ${SERVERLESS_MAX_PARTITIONS} on MSK Serverless` });
  validateNumber(scope, 'replicationFactor', replicationFactor, { min: 1 });
  if (!Token.isUnresolved(replicationFactor)) {
    validate(scope, replicationFactor <= brokerCount,
      `replicationFactor must be <= the cluster's broker count (${brokerCount}), got ${replicationFactor}`);
    validate(scope, !serverless || replicationFactor === brokerCount,
      `replicationFactor is fixed at ${brokerCount} on MSK Serverless, got ${replicationFactor}`);
  }
  for (const [key, value] of Object.entries(configs)) {
    validate(scope, typeof value === 'string', `configs['${key}'] must be a string, got ${typeof value}`);
    validate(scope, /^[a-z0-9.]+$/.test(key), `configs keys must be Kafka topic config names like 'retention.ms', got '${key}'`);
    validate(scope, !serverless || SERVERLESS_TOPIC_CONFIGS.has(key),
      `configs['${key}'] cannot be set on MSK Serverless; allowed: ${[...SERVERLESS_TOPIC_CONFIGS].join(', ')}`);
    if (serverless && key === 'max.message.bytes' && !Token.isUnresolved(value)) {
      validate(scope, Number(value) <= SERVERLESS_MAX_MESSAGE_BYTES,
        `configs['max.message.bytes'] must be <= ${SERVERLESS_MAX_MESSAGE_BYTES} on MSK Serverless, got ${value}`);
    }
  }
}
