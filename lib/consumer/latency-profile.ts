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
  /** On-demand pollers and a 500 ms batching window. */
  ECONOMICAL = 'economical',
  /** Provisioned pollers, a batching window of 0, mapping-level retries, bisect and partial batch responses. */
  LOW_LATENCY = 'low-latency',
}

/** The batching window each profile uses unless the consumer sets one. */
export function defaultBatchingWindow(profile: LatencyProfile): Duration {
  return profile === LatencyProfile.LOW_LATENCY ? Duration.seconds(0) : Duration.millis(500);
}
