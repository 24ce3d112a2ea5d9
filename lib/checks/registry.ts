import type { Rule } from './rule';
import { AlarmHasAction } from './rules/alarm-has-action';
import { AlarmMetricEmitted } from './rules/alarm-metric-emitted';
import { HttpApiAccessLogVariables } from './rules/http-api-access-log-variables';
import { KafkaConsumerDeadLetter } from './rules/kafka-consumer-dead-letter';
import { KafkaFunctionHasBrokers } from './rules/kafka-function-has-brokers';
import { KafkaMappingConsumerGroupId } from './rules/kafka-mapping-consumer-group-id';
import { MskClusterIamTls } from './rules/msk-cluster-iam-tls';
import { OnDemandKafkaMappingControls } from './rules/on-demand-kafka-mapping-controls';
import { WriteRouteAuthorized } from './rules/write-route-authorized';

/**
 * Every rule `msk-pipelines check` and the `MskPipelinesChecks` cdk-nag pack run, in report order.
 * A new rule is one file under `rules/` (one exported `Rule`) and one line here.
 */
export const MSK_PIPELINES_RULES: readonly Rule[] = [
  // Kafka mappings and the functions they invoke
  KafkaMappingConsumerGroupId,
  KafkaConsumerDeadLetter,
  OnDemandKafkaMappingControls,
  KafkaFunctionHasBrokers,
  // Clusters the app creates
  MskClusterIamTls,
  // HTTP APIs
  WriteRouteAuthorized,
  HttpApiAccessLogVariables,
  // Alarms
  AlarmHasAction,
  AlarmMetricEmitted,
  // Network (issue 13, the cloud-parity network model): "a function calls a service its subnets
  // cannot reach" and "a function uses Kafka from outside the cluster's network" go here, as
  // assembly-extent rules over the VPC, subnet, route, endpoint and security-group resources.
];
