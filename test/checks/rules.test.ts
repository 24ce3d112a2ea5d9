import { AlarmHasAction, checkTemplate, DEPLOYMENT_RULES, HttpApiAccessLogVariables, KafkaFunctionHasBrokers, OnDemandKafkaMappingControls, SIGNATURE_VERIFIED, SIGNATURE_VERIFIED_METADATA, WriteRouteAuthorized } from '../../lib/checks';

/** Each rule on a small template: it finds what it names and nothing else (negative controls for the app-wide test). */
describe('template rules', () => {
  test('KafkaFunctionHasBrokers: a cluster ARN without brokers is found; with brokers, or without Kafka, it is not', () => {
    const template = { Resources: {
      NoBrokers: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { KAFKA_CLUSTER_ARN: 'arn' } } } },
      Brokers: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { KAFKA_CLUSTER_ARN: 'arn', KAFKA_BOOTSTRAP_SERVERS: 'b:9098' } } } },
      Plain: { Type: 'AWS::Lambda::Function', Properties: {} },
    } };
    expect(KafkaFunctionHasBrokers.check(template)).toEqual([{ rule: 'KafkaFunctionHasBrokers', logicalId: 'NoBrokers', message: 'KAFKA_CLUSTER_ARN without KAFKA_BOOTSTRAP_SERVERS' }]);
  });

  test('OnDemandKafkaMappingControls: provisioned-only properties on an on-demand Kafka mapping are found, not on a provisioned one', () => {
    const kafka = { EventSourceArn: 'arn:aws:kafka:r:a:cluster/c/u', Topics: ['t'], AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'g' } };
    const template = { Resources: {
      OnDemand: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...kafka, DestinationConfig: { OnFailure: { Destination: 'kafka://t.dlt' } }, FunctionResponseTypes: ['ReportBatchItemFailures'] } },
      Provisioned: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { ...kafka, ProvisionedPollerConfig: { MinimumPollers: 1 }, MaximumRetryAttempts: 2, DestinationConfig: {} } },
      Sqs: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: 'arn:aws:sqs:r:a:q', FunctionResponseTypes: ['ReportBatchItemFailures'] } },
    } };
    expect(OnDemandKafkaMappingControls.check(template).map((f) => f.message)).toEqual(['on-demand Kafka mapping sets FunctionResponseTypes', 'on-demand Kafka mapping sets DestinationConfig']);
  });

  test('HttpApiAccessLogVariables: a REST-only variable is found, HTTP API ones are not', () => {
    const template = { Resources: {
      Rest: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { AccessLogSettings: { Format: '{"r":"$context.resourcePath","s":"$context.status"}' } } },
      Http: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { AccessLogSettings: { Format: '{"k":"$context.routeKey","i":"$context.identity.sourceIp"}' } } },
    } };
    expect(HttpApiAccessLogVariables.check(template)).toEqual([{ rule: 'HttpApiAccessLogVariables', logicalId: 'Rest', message: 'access-log format uses $context.resourcePath, which HTTP APIs do not have' }]);
  });

  test('AlarmHasAction: an alarm without actions is found', () => {
    const template = { Resources: {
      Silent: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
      Loud: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }] } },
    } };
    expect(AlarmHasAction.check(template).map((f) => f.logicalId)).toEqual(['Silent']);
  });

  test('WriteRouteAuthorized: an open POST or ANY route is found, an IAM one, a GET one or a signature-verified callback route is not', () => {
    const template = { Resources: {
      OpenPost: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /posts', AuthorizationType: 'NONE' } },
      OpenAny: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'ANY /things' } },
      Iam: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /orders', AuthorizationType: 'AWS_IAM' } },
      Get: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'GET /status' } },
      Callback: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'POST /callbacks/{provider}', AuthorizationType: 'NONE' }, Metadata: { [SIGNATURE_VERIFIED_METADATA]: SIGNATURE_VERIFIED } },
    } };
    expect(WriteRouteAuthorized.check(template).map((f) => f.message)).toEqual(['POST /posts has no authorization', 'ANY /things has no authorization']);
  });

  test('every rule has a name, what it checks and why', () => {
    for (const rule of DEPLOYMENT_RULES) {
      expect(rule.name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(rule.info.length).toBeGreaterThan(20);
      expect(rule.explanation.length).toBeGreaterThan(40);
    }
    expect(checkTemplate({}, DEPLOYMENT_RULES)).toEqual([]);
  });
});

test('HttpApiAccessLogVariables: the REST module\'s jsonWithStandardFields() format (what two stages used) is found', () => {
  const { AccessLogFormat } = require('aws-cdk-lib/aws-apigateway') as typeof import('aws-cdk-lib/aws-apigateway');
  const { httpApiAccessLogFormat } = require('../../lib/http') as typeof import('../../lib/http');
  const stage = (format: string) => ({ Resources: { Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { AccessLogSettings: { Format: format } } } } });
  expect(HttpApiAccessLogVariables.check(stage(AccessLogFormat.jsonWithStandardFields().toString())).map((f) => f.message))
    .toEqual(['access-log format uses $context.resourcePath, which HTTP APIs do not have']);
  expect(HttpApiAccessLogVariables.check(stage(httpApiAccessLogFormat().toString()))).toEqual([]);
});
