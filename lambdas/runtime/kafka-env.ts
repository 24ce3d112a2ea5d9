/**
 * How a function reaches Kafka: written by the cluster's `connectionEnvironment()` (KafkaCluster,
 * an existing or self-managed cluster), read by the runtime's Kafka client, and by the checks and
 * the emulator that look at a function's environment (one contract, no spelling twice).
 */
export const KafkaEnv = {
  /** The MSK cluster's ARN: the IAM resource of `kafka-cluster:Connect`, and the region's source. */
  KAFKA_CLUSTER_ARN: 'KAFKA_CLUSTER_ARN',
  /** Comma-separated `host:port` brokers, resolved at deploy time so no function calls the MSK API. */
  KAFKA_BOOTSTRAP_SERVERS: 'KAFKA_BOOTSTRAP_SERVERS',
  /** `iam`, `scram-sha-512`, `tls` or `none`. */
  KAFKA_AUTH: 'KAFKA_AUTH',
  /** Secrets Manager ARN of the SASL/SCRAM user (`{"username", "password"}`), with `KAFKA_AUTH=scram-sha-512`. */
  KAFKA_SECRET_ARN: 'KAFKA_SECRET_ARN',
} as const;
