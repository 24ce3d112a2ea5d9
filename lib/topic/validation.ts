import { Token } from 'aws-cdk-lib';

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

/** Kafka's own topic-name rules: 1..249 characters of [a-zA-Z0-9._-], not '.' or '..'. */
export function validateTopicName(topicName: string): void {
  if (Token.isUnresolved(topicName)) return;
  if (topicName.length < 1 || topicName.length > 249) {
    throw new Error(`topicName must be 1 to 249 characters long, got ${topicName.length} ('${topicName.slice(0, 40)}')`);
  }
  if (topicName === '.' || topicName === '..') {
    throw new Error(`topicName cannot be '.' or '..', got '${topicName}'`);
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(topicName)) {
    throw new Error(`topicName may contain only [a-zA-Z0-9._-], got '${topicName}'`);
  }
}

/** Validates partitions, replication factor and configs against the cluster. */
export function validateTopicSettings(args: {
  topicName: string;
  partitions: number;
  replicationFactor: number;
  brokerCount: number;
  serverless: boolean;
  configs: Record<string, string>;
}): void {
  const { partitions, replicationFactor, brokerCount, serverless, configs } = args;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(`partitions must be an integer >= 1, got ${partitions}`);
  }
  if (serverless && partitions > SERVERLESS_MAX_PARTITIONS) {
    throw new Error(`partitions must be <= ${SERVERLESS_MAX_PARTITIONS} on MSK Serverless, got ${partitions}`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new Error(`replicationFactor must be an integer >= 1, got ${replicationFactor}`);
  }
  if (replicationFactor > brokerCount) {
    throw new Error(`replicationFactor must be <= the cluster's broker count (${brokerCount}), got ${replicationFactor}`);
  }
  if (serverless && replicationFactor !== brokerCount) {
    throw new Error(`replicationFactor is fixed at ${brokerCount} on MSK Serverless, got ${replicationFactor}`);
  }
  for (const [key, value] of Object.entries(configs)) {
    if (typeof value !== 'string') {
      throw new Error(`configs['${key}'] must be a string, got ${typeof value}`);
    }
    if (!/^[a-z0-9.]+$/.test(key)) {
      throw new Error(`configs keys must be Kafka topic config names like 'retention.ms', got '${key}'`);
    }
    if (serverless && !SERVERLESS_TOPIC_CONFIGS.has(key)) {
      throw new Error(`configs['${key}'] cannot be set on MSK Serverless; allowed: ${[...SERVERLESS_TOPIC_CONFIGS].join(', ')}`);
    }
    if (serverless && key === 'max.message.bytes' && !Token.isUnresolved(value) && Number(value) > SERVERLESS_MAX_MESSAGE_BYTES) {
      throw new Error(`configs['max.message.bytes'] must be <= ${SERVERLESS_MAX_MESSAGE_BYTES} on MSK Serverless, got ${value}`);
    }
  }
}
