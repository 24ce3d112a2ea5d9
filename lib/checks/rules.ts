import { HTTP_API_LOG_VARIABLES } from '../http/log-variables';
import { Finding, resourcesOf, TemplateLike, TemplateRule } from './rule';

/** Route metadata that marks a route as authenticated by its provider's signature in the function. */
export const SIGNATURE_VERIFIED_METADATA = 'msk-pipelines:authorization';
/** The value of SIGNATURE_VERIFIED_METADATA on such routes. */
export const SIGNATURE_VERIFIED = 'provider-signature';

const finding = (rule: string, logicalId: string, message: string): Finding => ({ rule, logicalId, message });

/** Functions that would call the MSK control plane at run time. */
export const KafkaFunctionHasBrokers: TemplateRule = {
  name: 'KafkaFunctionHasBrokers',
  info: 'A function with KAFKA_CLUSTER_ARN in its environment also has KAFKA_BOOTSTRAP_SERVERS.',
  explanation: 'Without brokers the runtime asks the MSK API (GetBootstrapBrokers) at run time, which isolated subnets without a NAT or an MSK API endpoint cannot reach: the function fails. The constructs set the brokers from a deploy-time lookup (connectionEnvironment()).',
  check(template: TemplateLike): Finding[] {
    return resourcesOf(template, 'AWS::Lambda::Function')
      .filter(([, p]) => p.Environment?.Variables?.KAFKA_CLUSTER_ARN !== undefined && p.Environment?.Variables?.KAFKA_BOOTSTRAP_SERVERS === undefined)
      .map(([id]) => finding(this.name, id, 'KAFKA_CLUSTER_ARN without KAFKA_BOOTSTRAP_SERVERS'));
  },
};

/** Properties AWS documents for Kafka mappings with provisioned pollers only. */
export const PROVISIONED_ONLY_MAPPING_PROPERTIES = ['MaximumRetryAttempts', 'BisectBatchOnFunctionError', 'FunctionResponseTypes', 'MaximumRecordAgeInSeconds', 'DestinationConfig'];

/** On-demand Kafka mappings carrying controls documented for provisioned pollers only. */
export const OnDemandKafkaMappingControls: TemplateRule = {
  name: 'OnDemandKafkaMappingControls',
  info: `A Kafka event source mapping without ProvisionedPollerConfig sets none of ${PROVISIONED_ONLY_MAPPING_PROPERTIES.join(', ')}.`,
  explanation: 'Lambda documents retry attempts, bisect, partial batch responses, record age and on-failure destinations for Kafka mappings in provisioned mode; on an on-demand mapping they are ignored (ReportBatchItemFailures: the batch is committed) or refused. See https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html',
  check(template: TemplateLike): Finding[] {
    return resourcesOf(template, 'AWS::Lambda::EventSourceMapping')
      .filter(([, p]) => isKafkaMapping(p) && p.ProvisionedPollerConfig === undefined)
      .flatMap(([id, p]) => PROVISIONED_ONLY_MAPPING_PROPERTIES.filter((k) => p[k] !== undefined)
        .map((k) => finding(this.name, id, `on-demand Kafka mapping sets ${k}`)));
  },
};

function isKafkaMapping(p: any): boolean {
  return p.AmazonManagedKafkaEventSourceConfig !== undefined || p.SelfManagedEventSource !== undefined
    || (Array.isArray(p.Topics) && JSON.stringify(p.EventSourceArn ?? '').includes('kafka'));
}

/** HTTP API stages whose access-log format names a variable HTTP APIs do not have. */
export const HttpApiAccessLogVariables: TemplateRule = {
  name: 'HttpApiAccessLogVariables',
  info: 'An HTTP API stage\'s access-log format uses HTTP API $context variables only.',
  explanation: 'HTTP APIs have their own list of access-log variables; REST-only ones such as $context.resourcePath (in jsonWithStandardFields()) are not in it. See https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html',
  check(template: TemplateLike): Finding[] {
    const known = new Set(HTTP_API_LOG_VARIABLES);
    return resourcesOf(template, 'AWS::ApiGatewayV2::Stage').flatMap(([id, p]) => {
      const format = JSON.stringify(p.AccessLogSettings?.Format ?? '');
      const used = [...format.matchAll(/\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])/g)].map((m) => m[1]);
      return [...new Set(used)].filter((v) => !known.has(v)).map((v) => finding(this.name, id, `access-log format uses $context.${v}, which HTTP APIs do not have`));
    });
  },
};

/** Alarms that notify nobody. */
export const AlarmHasAction: TemplateRule = {
  name: 'AlarmHasAction',
  info: 'Every CloudWatch alarm has at least one alarm action.',
  explanation: 'An alarm without an action changes state in the console and tells nobody. Give the constructs an alarmAction (e.g. an SNS topic).',
  check(template: TemplateLike): Finding[] {
    return resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .filter(([, p]) => !Array.isArray(p.AlarmActions) || p.AlarmActions.length === 0)
      .map(([id]) => finding(this.name, id, 'alarm without AlarmActions'));
  },
};

/** Write routes open to anyone. */
export const WriteRouteAuthorized: TemplateRule = {
  name: 'WriteRouteAuthorized',
  info: 'Every POST (or ANY) route of an HTTP API has an authorizer, unless it is marked as verified by its provider\'s signature.',
  explanation: 'An unauthenticated write route lets anyone publish events. Callback routes cannot take IAM or JWT credentials from a third party; they verify the provider\'s signature in the function instead, and say so in their metadata.',
  check(template: TemplateLike): Finding[] {
    return resourcesOf(template, 'AWS::ApiGatewayV2::Route')
      .filter(([, p]) => /^(POST|ANY) /.test(String(p.RouteKey)) && (p.AuthorizationType === undefined || p.AuthorizationType === 'NONE'))
      .filter(([, , metadata]) => metadata?.[SIGNATURE_VERIFIED_METADATA] !== SIGNATURE_VERIFIED)
      .map(([id, p]) => finding(this.name, id, `${p.RouteKey} has no authorization`));
  },
};

/** The rules the example app's templates are held to. */
export const DEPLOYMENT_RULES: readonly TemplateRule[] = [KafkaFunctionHasBrokers, OnDemandKafkaMappingControls, HttpApiAccessLogVariables, AlarmHasAction, WriteRouteAuthorized];
