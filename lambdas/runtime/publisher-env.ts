/**
 * Environment of a function that publishes to a fan-out topic: written by
 * `FanoutTopic.grantPublish` and read by the publisher through these names only.
 */
export const PublisherEnv = {
  /** The topic the function publishes to. */
  TOPIC_NAME: 'TOPIC_NAME',
} as const;
