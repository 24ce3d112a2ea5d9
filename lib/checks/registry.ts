import type { Rule } from './rule';
import { AlarmHasAction } from './rules/alarm-has-action';
import { AlarmMetricEmitted } from './rules/alarm-metric-emitted';
import { FunctionServiceReachable } from './rules/function-service-reachable';
import { HttpApiAccessLogVariables } from './rules/http-api-access-log-variables';
import { KafkaClientInClusterNetwork } from './rules/kafka-client-in-cluster-network';
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
  // Network (the model of lib/checks/network.ts, which the emulator enforces at run time)
  FunctionServiceReachable,
  KafkaClientInClusterNetwork,
];
