export { applyKafkaAcls } from './apply';
export type { AppliedAcls } from './apply';
export { KafkaAclEnforcement, kafkaPrincipalOf, pollsWithIam } from './attach';
export type { KafkaIamListener } from './attach';
export { aclKey, deriveKafkaAcls } from './derive';
export type { IsAllowed, KafkaAcl, KafkaAclScope, KafkaPrincipal, KafkaPrincipalAcls } from './derive';
export { CONNECT_ACTION, KAFKA_CLUSTER_ACTIONS, mskDataPlaneArn } from './kafka-actions';
export type { KafkaClusterAction, KafkaOperation, KafkaResourceKind } from './kafka-actions';
