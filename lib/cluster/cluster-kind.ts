/** What kind of Kafka cluster the functions talk to. */
export enum ClusterKind {
  /** Amazon MSK provisioned (brokers you size). */
  PROVISIONED = 'provisioned',
  /** Amazon MSK Serverless. */
  SERVERLESS = 'serverless',
  /** An MSK cluster created elsewhere, imported by ARN. */
  EXISTING = 'existing',
  /** Kafka run outside MSK, reached by bootstrap servers. */
  SELF_MANAGED = 'self-managed',
}

/** The port MSK brokers accept SASL/IAM over TLS on. */
export const MSK_IAM_PORT = 9098;

/** MSK Serverless always keeps three replicas of each partition. */
export const SERVERLESS_REPLICAS = 3;

/** The Kafka version a new provisioned cluster runs by default (local mode runs Kafka 3.9.1). */
export const DEFAULT_KAFKA_VERSION = '3.9.x';
