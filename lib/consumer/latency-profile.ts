import { Duration } from 'aws-cdk-lib';

/**
 * How a consumer's event source mapping polls.
 *
 * Lambda's error-handling controls for Kafka mappings (retry attempts, bisect on error,
 * partial batch responses) are available in provisioned poller mode only, so in the
 * economical profile the function runtime bounds retries itself (MAX_ATTEMPTS in-handler
 * attempts, then the dead-letter topic) and the batch reports success.
 */
export enum LatencyProfile {
  /** On-demand pollers and Lambda's default batching window (500 ms for Kafka). */
  ECONOMICAL = 'economical',
  /** Provisioned pollers, a batching window of 0, mapping-level retries, bisect and partial batch responses. */
  LOW_LATENCY = 'low-latency',
}

/**
 * The batching window each profile sets unless the consumer sets one: 0 for low latency;
 * none for economical, where Lambda's default for Kafka mappings (500 ms) applies.
 */
export function defaultBatchingWindow(profile: LatencyProfile): Duration | undefined {
  return profile === LatencyProfile.LOW_LATENCY ? Duration.seconds(0) : undefined;
}
