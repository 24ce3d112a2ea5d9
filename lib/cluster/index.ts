export { ClusterKind, DEFAULT_KAFKA_VERSION } from './cluster-kind';
export { KafkaCluster } from './kafka-cluster';
export type { ExistingClusterAttributes, IKafkaCluster, KafkaClusterProps, SelfManagedKafkaProps } from './kafka-cluster';
export { KafkaVpc } from './network';
export type { KafkaVpcProps } from './network';
export { SelfManagedAuth } from './self-managed-auth';
export { BootstrapBrokersLookup } from './bootstrap-brokers';
export type { BootstrapBrokersLookupProps } from './bootstrap-brokers';
