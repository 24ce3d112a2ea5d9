import { Kafka } from 'kafkajs';

/**
 * The cold-start floor: the least a function of this project loads, kafkajs and nothing else
 * (every function that touches Kafka needs it; no AWS SDK, logger or runtime).
 */
export async function handler(): Promise<string> {
  return typeof Kafka;
}
