import type { ResourceView, Rule } from '../rule';
import { isKafkaMapping } from '../private/resources';

/** Properties AWS documents for Kafka mappings with provisioned pollers only. */
export const PROVISIONED_ONLY_MAPPING_PROPERTIES = ['MaximumRetryAttempts', 'BisectBatchOnFunctionError', 'FunctionResponseTypes', 'MaximumRecordAgeInSeconds', 'DestinationConfig'];

/** On-demand Kafka mappings carrying controls documented for provisioned pollers only. */
export const OnDemandKafkaMappingControls: Rule = {
  name: 'OnDemandKafkaMappingControls',
  info: `The on-demand Kafka event source mapping (no ProvisionedPollerConfig) sets a control Lambda documents for provisioned pollers only (${PROVISIONED_ONLY_MAPPING_PROPERTIES.join(', ')}).`,
  explanation: 'Lambda documents retry attempts, bisect, partial batch responses, record age and on-failure destinations for Kafka mappings in provisioned mode; on an on-demand mapping they are ignored (ReportBatchItemFailures: the failed records are committed with the batch) or refused. See https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html',
  severity: 'error',
  resourceTypes: ['AWS::Lambda::EventSourceMapping'],
  check(mapping: ResourceView): string[] {
    const p = mapping.properties;
    if (!isKafkaMapping(p) || p.ProvisionedPollerConfig !== undefined) return [];
    return PROVISIONED_ONLY_MAPPING_PROPERTIES.filter((k) => p[k] !== undefined)
      .map((k) => `on-demand Kafka mapping sets ${k}, which Lambda honours with provisioned pollers only`);
  },
};
