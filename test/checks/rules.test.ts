import {
  AlarmHasAction, AlarmMetricEmitted, checkTemplate, EMITTED_METRICS_METADATA, HttpApiAccessLogVariables, KafkaConsumerDeadLetter, KafkaFunctionHasBrokers,
  KafkaMappingConsumerGroupId, MSK_PIPELINES_RULES, MskClusterIamTls, OnDemandKafkaMappingControls, Rule, SIGNATURE_VERIFIED, SIGNATURE_VERIFIED_METADATA,
  templateViews, viewContext, WriteRouteAuthorized,
} from '../../lib/checks';

/** Logical id and message of each finding of `rule` on `template`. */
const found = (rule: Rule, template: { Resources: Record<string, any> }) => checkTemplate(template, [rule]).map((f) => [f.logicalId, f.message]);

const MSK = { EventSourceArn: 'arn:aws:kafka:r:a:cluster/c/u', Topics: ['t'] };

/** Each rule on a small template: it finds what it names and nothing else (negative controls for the app-wide tests). */
describe('template rules', () => {
  test('KafkaFunctionHasBrokers: a cluster ARN without brokers is found; with brokers, or without Kafka, it is not', () => {
    const template = { Resources: {
      NoBrokers: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { KAFKA_CLUSTER_ARN: 'arn' } } } },
      Brokers: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { KAFKA_CLUSTER_ARN: 'arn', KAFKA_BOOTSTRAP_SERVERS: 'b:9098' } } } },
      Plain: { Type: 'AWS::Lambda::Function', Properties: {} },
    } };
    expect(found(KafkaFunctionHasBrokers, template)).toEqual([['NoBrokers', 'KAFKA_CLUSTER_ARN without KAFKA_BOOTSTRAP_SERVERS: the function would call the MSK API for brokers at run time']]);
  });

  test('OnDemandKafkaMappingControls: provisioned-only properties on an on-demand Kafka mapping are found, not on a provisioned one or an SQS mapping', () => {
    const kafka = { ...MSK, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } };
    const template = { Resources: {
      OnDemand: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...kafka, DestinationConfig: { OnFailure: { Destination: 'kafka://t.dlt' } }, FunctionResponseTypes: ['ReportBatchItemFailures'] } },
      Provisioned: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...kafka, ProvisionedPollerConfig: { MinimumPollers: 1 }, MaximumRetryAttempts: 2, DestinationConfig: {} } },
      Sqs: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: 'arn:aws:sqs:r:a:q', FunctionResponseTypes: ['ReportBatchItemFailures'] } },
    } };
    expect(found(OnDemandKafkaMappingControls, template)).toEqual([
      ['OnDemand', 'on-demand Kafka mapping sets FunctionResponseTypes, which Lambda honours with provisioned pollers only'],
      ['OnDemand', 'on-demand Kafka mapping sets DestinationConfig, which Lambda honours with provisioned pollers only'],
    ]);
  });

  test('KafkaMappingConsumerGroupId: an MSK or self-managed mapping without a group id is found; with one, or an SQS mapping, it is not', () => {
    const template = { Resources: {
      NoGroup: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...MSK } },
      EmptyGroup: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...MSK, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: '' } } },
      SelfManagedNoGroup: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: ['b:9092'] } }, Topics: ['t'] } },
      Group: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...MSK, AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'stack-consumer' } } },
      SelfManagedGroup: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { SelfManagedEventSource: {}, Topics: ['t'], SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } } },
      Sqs: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: 'arn:aws:sqs:r:a:q' } },
    } };
    expect(found(KafkaMappingConsumerGroupId, template).map(([id]) => id)).toEqual(['NoGroup', 'EmptyGroup', 'SelfManagedNoGroup']);
    expect(found(KafkaMappingConsumerGroupId, template)[0][1]).toBe('Kafka mapping without a ConsumerGroupId: Lambda chooses the group, and a replaced mapping starts a new one');
  });

  test('KafkaConsumerDeadLetter: a consumer function with no dead-letter variable and no destination is found; a topic, a queue or a destination each satisfy it', () => {
    const fn = (variables: Record<string, unknown>) => ({ Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: variables } } });
    const mapping = (fnId: string, extra: Record<string, unknown> = {}) => ({ Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...MSK, FunctionName: { Ref: fnId }, ...extra } });
    const template = { Resources: {
      Bare: fn({ TOPIC_NAME: 't' }), BareMapping: mapping('Bare'),
      Topic: fn({ DEAD_LETTER_TOPIC: 't.dlt' }), TopicMapping: mapping('Topic'),
      Queue: fn({ DEAD_LETTER_QUEUE_URL: { Ref: 'Q' } }), QueueMapping: mapping('Queue'),
      Destined: fn({}), DestinedMapping: mapping('Destined', { DestinationConfig: { OnFailure: { Destination: 'kafka://t.dlt' } }, ProvisionedPollerConfig: { MinimumPollers: 1 } }),
      ImportedMapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...MSK, FunctionName: 'arn:aws:lambda:r:a:function:elsewhere' } },
    } };
    expect(found(KafkaConsumerDeadLetter, template)).toEqual([['BareMapping', 'function Stack/Bare has no dead-letter path: no DEAD_LETTER_TOPIC or DEAD_LETTER_QUEUE_URL in its environment and no on-failure destination on the mapping']]);
  });

  test('MskClusterIamTls: a cluster without IAM, with unauthenticated access or plaintext is found; the secure shape and a serverless IAM cluster are not', () => {
    const secure = { ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } }, EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } } };
    const template = { Resources: {
      Secure: { Type: 'AWS::MSK::Cluster', Properties: secure },
      Defaults: { Type: 'AWS::MSK::Cluster', Properties: { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } },
      Scram: { Type: 'AWS::MSK::Cluster', Properties: { ClientAuthentication: { Sasl: { Scram: { Enabled: true } } } } },
      Open: { Type: 'AWS::MSK::Cluster', Properties: { ...secure, ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: true } }, EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS_PLAINTEXT', InCluster: false } } } },
      Serverless: { Type: 'AWS::MSK::ServerlessCluster', Properties: { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } },
    } };
    expect(found(MskClusterIamTls, template)).toEqual([
      ['Scram', 'IAM client authentication is not enabled (ClientAuthentication.Sasl.Iam.Enabled)'],
      ['Open', 'unauthenticated access is enabled (ClientAuthentication.Unauthenticated.Enabled)'],
      ['Open', 'client-broker traffic allows plaintext (EncryptionInTransit.ClientBroker "TLS_PLAINTEXT", not "TLS")'],
      ['Open', 'traffic between brokers is not encrypted (EncryptionInTransit.InCluster false)'],
    ]);
  });

  test('HttpApiAccessLogVariables: a REST-only variable is found, HTTP API ones are not', () => {
    const template = { Resources: {
      Rest: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { AccessLogSettings: { Format: '{"r":"$context.resourcePath","s":"$context.status"}' } } },
      Http: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { AccessLogSettings: { Format: '{"k":"$context.routeKey","i":"$context.identity.sourceIp"}' } } },
    } };
    expect(found(HttpApiAccessLogVariables, template)).toEqual([['Rest', 'access-log format uses $context.resourcePath, which HTTP APIs do not have']]);
  });

  test('AlarmHasAction: an alarm without actions is found', () => {
    const template = { Resources: {
      Silent: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
      Empty: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [], OKActions: [{ Ref: 'Topic' }] } },
      Loud: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }] } },
    } };
    expect(found(AlarmHasAction, template).map(([id]) => id)).toEqual(['Silent', 'Empty']);
  });

  test('WriteRouteAuthorized: an open POST, PUT or ANY route is found; an IAM one, a GET one or a signature-verified callback route is not', () => {
    const template = { Resources: {
      OpenPost: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /posts', AuthorizationType: 'NONE' } },
      OpenAny: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'ANY /things' } },
      OpenPut: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'PUT /things/{id}' } },
      Iam: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /orders', AuthorizationType: 'AWS_IAM' } },
      Get: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'GET /status' } },
      Callback: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /callbacks/{provider}', AuthorizationType: 'NONE' }, Metadata: { [SIGNATURE_VERIFIED_METADATA]: SIGNATURE_VERIFIED } },
    } };
    expect(found(WriteRouteAuthorized, template).map(([, m]) => m)).toEqual(['POST /posts has no authorization', 'ANY /things has no authorization', 'PUT /things/{id} has no authorization']);
  });

  describe('AlarmMetricEmitted', () => {
    const alarm = (namespace: string, metricName: string, dimensions: Record<string, unknown>) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Namespace: namespace, MetricName: metricName, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })), AlarmActions: [{ Ref: 'T' }] },
    });
    const emitter = (metrics: unknown[]) => ({ Type: 'AWS::Lambda::Function', Properties: {}, Metadata: { [EMITTED_METRICS_METADATA]: metrics } });
    const deadLettered = { namespace: 'MskPipelines', metricName: 'DeadLetteredRecords', dimensions: { service: 'billing' } };

    test('GIVEN alarms on an emitted metric, on an AWS metric and on metrics nobody emits THEN only the last are found, each saying what is emitted instead', () => {
      const template = { Resources: {
        Fn: emitter([deadLettered]),
        Watched: alarm('MskPipelines', 'DeadLetteredRecords', { service: 'billing' }),
        Lambda: alarm('AWS/Lambda', 'Errors', { FunctionName: { Ref: 'Fn' } }),
        Typo: alarm('MskPipelines', 'DeadLetterdRecords', { service: 'billing' }),
        OtherService: alarm('MskPipelines', 'DeadLetteredRecords', { service: 'invoices' }),
        ExtraDimension: alarm('MskPipelines', 'DeadLetteredRecords', { service: 'billing', topic: 't' }),
      } };
      expect(found(AlarmMetricEmitted, template)).toEqual([
        ['Typo', 'no function in this stack and its nested stacks emits MskPipelines DeadLetterdRecords {service=billing}'],
        ['OtherService', 'no function in this stack and its nested stacks emits MskPipelines DeadLetteredRecords {service=invoices}; emitted only as MskPipelines DeadLetteredRecords {service=billing}'],
        ['ExtraDimension', 'no function in this stack and its nested stacks emits MskPipelines DeadLetteredRecords {service=billing, topic=t}; emitted only as MskPipelines DeadLetteredRecords {service=billing}'],
      ]);
    });

    test('GIVEN a metric-math alarm THEN each metric it reads is checked', () => {
      const template = { Resources: {
        Fn: emitter([deadLettered]),
        Math: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [
          { Id: 'a', MetricStat: { Metric: { Namespace: 'MskPipelines', MetricName: 'DeadLetteredRecords', Dimensions: [{ Name: 'service', Value: 'billing' }] }, Stat: 'Sum', Period: 60 } },
          { Id: 'b', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [] }, Stat: 'Sum', Period: 60 } },
          { Id: 'e', Expression: 'a / b' },
        ] } },
      } };
      expect(found(AlarmMetricEmitted, template)).toEqual([['Math', 'no function in this stack and its nested stacks emits Shop Orders {}']]);
    });

    test('GIVEN the bundled code (check) WHEN the declaring function\'s code never names the metric THEN the declaration is not taken on trust', () => {
      const views = templateViews('S', { Resources: { Fn: emitter([deadLettered]), Watched: alarm('MskPipelines', 'DeadLetteredRecords', { service: 'billing' }) } });
      const withCode = (code: string) => ({ ...viewContext(views, 'assembly'), functionCode: () => code });
      const check = (code: string) => AlarmMetricEmitted.check(views[1], withCode(code));
      expect(check('x={_aws:{CloudWatchMetrics:[{Namespace:"MskPipelines",Metrics:[{Name:"DeadLetteredRecords"}]}]}}')).toEqual([]);
      expect(check('const n="MskPipelines";log("DeadLetteredRecordsTotal")')).toEqual([
        'MskPipelines DeadLetteredRecords {service=billing} is declared by S/Fn, but no such function\'s bundled code names DeadLetteredRecords in namespace MskPipelines',
      ]);
    });
  });

  test('every rule has a unique name, a severity, what it checks and why with the AWS page that governs it', () => {
    for (const rule of MSK_PIPELINES_RULES) {
      expect(rule.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(['error', 'warning']).toContain(rule.severity);
      expect(rule.info.length).toBeGreaterThan(20);
      expect(rule.explanation).toMatch(/https:\/\/docs\.aws\.amazon\.com\//);
      expect(rule.resourceTypes.length).toBeGreaterThan(0);
    }
    expect(new Set(MSK_PIPELINES_RULES.map((r) => r.name)).size).toBe(MSK_PIPELINES_RULES.length);
    expect(checkTemplate({}, MSK_PIPELINES_RULES)).toEqual([]);
  });
});

test('HttpApiAccessLogVariables: the REST module\'s jsonWithStandardFields() format (what two stages used) is found', () => {
  const { AccessLogFormat } = require('aws-cdk-lib/aws-apigateway') as typeof import('aws-cdk-lib/aws-apigateway');
  const { httpApiAccessLogFormat } = require('../../lib/http') as typeof import('../../lib/http');
  const stage = (format: string) => ({ Resources: { Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { AccessLogSettings: { Format: format } } } } });
  expect(found(HttpApiAccessLogVariables, stage(AccessLogFormat.jsonWithStandardFields().toString())).map(([, m]) => m))
    .toEqual(['access-log format uses $context.resourcePath, which HTTP APIs do not have']);
  expect(found(HttpApiAccessLogVariables, stage(httpApiAccessLogFormat().toString()))).toEqual([]);
});
