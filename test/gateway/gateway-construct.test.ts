import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { KafkaCluster } from '../../lib/cluster';
import { lambdaEntry } from '../../lib/function/project-function';
import { CallbackGateway, GatewayProvider } from '../../lib/gateway';
import { describeFindings, nagFindings } from '../support/nag';

/** Skip esbuild: these tests look at templates only. */
const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

function build(options: { withCaller?: boolean } = {}) {
  const app = newApp();
  const foundation = new Stack(app, 'Foundation');
  const cluster = new KafkaCluster(foundation, 'Cluster');
  const stack = new Stack(app, 'Gateway');
  const gateway = new CallbackGateway(stack, 'Gateway', {
    cluster,
    providers: { 'wechat-pay': GatewayProvider.wechatPay(), acme: GatewayProvider.hmac({ header: 'X-Acme-Signature' }) },
    throttling: { rateLimit: 50, burstLimit: 100 },
  });
  let caller: Stack | undefined;
  if (options.withCaller) {
    caller = new Stack(app, 'Caller');
    gateway.subscribe(caller, 'OrderResults', { entry: lambdaEntry('examples/payment-result'), correlationPrefix: 'ORD-' });
  }
  return { app, stack, gateway, caller };
}

describe('CallbackGateway', () => {
  const { stack, gateway } = build();
  const template = Template.fromStack(stack);

  test('GIVEN providers WHEN synthesized THEN POST /callbacks/{provider} (and ANY, for 405) route to the gateway function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /callbacks/{provider}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /callbacks/{provider}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  test('THEN the $default stage is throttled and writes JSON access logs to a log group', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('GatewayAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
  });

  test('THEN the dedupe table is on-demand with TTL, PITR and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('THEN each provider gets a generated secret the function reads, named in PROVIDERS', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { GenerateStringKey: 'apiV3Key', PasswordLength: 32, SecretStringTemplate: '{"platformCertificates":{}}' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        RESULTS_TOPIC: 'payments.results',
        MAX_BODY_BYTES: '65536',
        PROVIDER_SECRET_WECHAT_PAY: { Ref: Match.stringLikeRegexp('WechatPaySecret') },
        PROVIDER_SECRET_ACME: { Ref: Match.stringLikeRegexp('AcmeSecret') },
        PROVIDERS: Match.serializedJson(Match.objectLike({
          'wechat-pay': { kind: 'wechat-pay', secretEnv: 'PROVIDER_SECRET_WECHAT_PAY' },
          acme: { kind: 'hmac', header: 'X-Acme-Signature', secretEnv: 'PROVIDER_SECRET_ACME' },
        })),
      }) },
      VpcConfig: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: { Ref: Match.stringLikeRegexp('WechatPaySecret') },
      })]) },
    });
  });

  test('THEN notifyUrl is the API endpoint plus /callbacks/<provider>', () => {
    const resolved = stack.resolve(gateway.notifyUrl('wechat-pay'));
    expect(resolved['Fn::Join'][1]).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^GatewayApi/), 'ApiEndpoint'] }, '/callbacks/wechat-pay']);
    expect(() => gateway.notifyUrl('nope')).toThrow(/provider must be one of wechat-pay, acme, got 'nope'/);
  });

  test('THEN cdk-nag (AwsSolutions + Serverless) reports nothing under the gateway', () => {
    expect(describeFindings(nagFindings(gateway))).toEqual([]);
  });

  test('GIVEN a caller subscribes WHEN synthesized THEN the gateway stack\'s resources are identical and the caller gets a filtered mapping', () => {
    const without = Template.fromStack(build().stack).toJSON().Resources;
    const { stack: gatewayStack, caller } = build({ withCaller: true });
    expect(Template.fromStack(gatewayStack).toJSON().Resources).toEqual(without);
    Template.fromStack(caller!).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['payments.results'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ value: { subject: [{ prefix: 'ORD-' }] } }) }] },
    });
  });

  test.each([
    [{ providers: {} }, /providers must name at least one provider, got none/],
    [{ providers: { 'Bad Name': GatewayProvider.hmac() } }, /name must be 1-63 characters of \[a-z0-9-\], got 'Bad Name'/],
    [{ maxBodyBytes: 0 }, /maxBodyBytes must be an integer from 1 to 1048576, got 0/],
    [{ throttling: { rateLimit: 0, burstLimit: 1 } }, /throttling.rateLimit must be from 1 to 10000, got 0/],
    [{ throttling: { rateLimit: 1, burstLimit: 9999 } }, /throttling.burstLimit must be an integer from 1 to 5000, got 9999/],
  ])('GIVEN bad props %p THEN the constructor throws', (bad, message) => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    const cluster = new KafkaCluster(stack, 'Cluster');
    expect(() => new CallbackGateway(stack, 'G', { cluster, providers: { p: GatewayProvider.hmac() }, ...bad })).toThrow(message);
  });

  test('GIVEN a bad tolerance THEN the provider factory throws', () => {
    expect(() => GatewayProvider.wechatPay({ toleranceSeconds: 0 })).toThrow(/toleranceSeconds must be an integer from 1 to 3600, got 0/);
  });

  test('GIVEN subscribe without a filter THEN it throws', () => {
    const { gateway: g, app } = build();
    expect(() => g.subscribe(new Stack(app, 'X'), 'R', { entry: lambdaEntry('examples/payment-result') })).toThrow(/needs correlationPrefix, types or filters/);
  });
});

describe('CallbackGateway with every provider kind', () => {
  const app = newApp();
  const cluster = new KafkaCluster(new Stack(app, 'Foundation'), 'Cluster');
  const stack = new Stack(app, 'AllProviders');
  const gateway = new CallbackGateway(stack, 'Gateway', {
    cluster,
    providers: {
      'wechat-pay': GatewayProvider.wechatPay(),
      stripe: GatewayProvider.stripe(),
      svix: GatewayProvider.standardWebhooks({ types: { 'invoice.paid': 'payment.succeeded' } }),
      alipay: GatewayProvider.alipay({ appId: '2021000000000001' }),
      acme: GatewayProvider.hmac({ header: 'X-Acme-Signature' }),
    },
    secretCacheTtl: Duration.minutes(2),
  });
  const template = Template.fromStack(stack);

  test('GIVEN five providers WHEN synthesized THEN PROVIDERS names each kind with its secret variable, and SECRET_CACHE_SECONDS is set', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        SECRET_CACHE_SECONDS: '120',
        PROVIDER_SECRET_STRIPE: { Ref: Match.stringLikeRegexp('^GatewayStripeSecret') },
        PROVIDER_SECRET_SVIX: { Ref: Match.stringLikeRegexp('^GatewaySvixSecret') },
        PROVIDER_SECRET_ALIPAY: { Ref: Match.stringLikeRegexp('^GatewayAlipaySecret') },
        PROVIDERS: Match.serializedJson({
          'wechat-pay': { kind: 'wechat-pay', secretEnv: 'PROVIDER_SECRET_WECHAT_PAY' },
          stripe: { kind: 'stripe', secretEnv: 'PROVIDER_SECRET_STRIPE' },
          svix: { kind: 'standard-webhooks', types: { 'invoice.paid': 'payment.succeeded' }, secretEnv: 'PROVIDER_SECRET_SVIX' },
          alipay: { kind: 'alipay', appId: '2021000000000001', secretEnv: 'PROVIDER_SECRET_ALIPAY' },
          acme: { kind: 'hmac', header: 'X-Acme-Signature', secretEnv: 'PROVIDER_SECRET_ACME' },
        }),
      }) },
    });
  });

  test('THEN secrets for keys only the provider issues start as empty key lists (nothing secret in the template)', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"signingSecrets":[]}', Description: Match.stringLikeRegexp('provider stripe') });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"signingSecrets":[]}', Description: Match.stringLikeRegexp('provider svix') });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"alipayPublicKeys":[]}' });
    template.resourceCountIs('AWS::SecretsManager::Secret', 5);
  });

  test('THEN the function may read exactly the Alipay secret (one statement per secret)', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) => id.startsWith('GatewayAlipaySecret'))!;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Effect: 'Allow',
        Resource: { Ref: secretId },
      }]) },
    });
  });

  test('THEN cdk-nag reports nothing', () => {
    expect(describeFindings(nagFindings(gateway))).toEqual([]);
  });

  test.each([
    [() => GatewayProvider.stripe({ toleranceSeconds: 0 }), /toleranceSeconds must be an integer from 1 to 3600, got 0/],
    [() => GatewayProvider.standardWebhooks({ toleranceSeconds: 3601 }), /toleranceSeconds must be an integer from 1 to 3600, got 3601/],
    [() => GatewayProvider.alipay({ appId: 'app-1' }), /appId must be 1-32 digits \(an Alipay app id\), got 'app-1'/],
    [() => GatewayProvider.hmac({ header: 'X Signature' }), /header must be 1-64 characters of \[A-Za-z0-9-\], got 'X Signature'/],
  ])('GIVEN a bad provider option THEN the factory throws (%#)', (make, message) => {
    expect(make).toThrow(message);
  });

  test.each([
    [Duration.hours(2), /secretCacheTtl must be whole seconds from 0 to 3600, got 7200 s/],
    [Duration.millis(1500), /secretCacheTtl must be whole seconds from 0 to 3600, got 1.5 s/],
  ])('GIVEN secretCacheTtl %s THEN the constructor throws', (ttl, message) => {
    const s = new Stack(newApp(), 'S');
    expect(() => new CallbackGateway(s, 'G', { cluster: new KafkaCluster(s, 'C'), providers: { p: GatewayProvider.hmac() }, secretCacheTtl: ttl })).toThrow(message);
  });
});

describe('PaymentStack', () => {
  test('GIVEN the gateway and payment stacks WHEN synthesized THEN nag is clean, results are filtered to ORD- and the order function gets the notify URL', () => {
    const { paymentStacks } = require('../../lib/examples/payment-stack') as typeof import('../../lib/examples/payment-stack');
    const app = newApp();
    const foundation = new Stack(app, 'Foundation');
    const cluster = new KafkaCluster(foundation, 'Cluster');
    // As in the example app: alarms notify a topic (MskPipelines-AlarmHasAction).
    const alarmAction = new SnsAction(new sns.Topic(foundation, 'Alarms', { enforceSSL: true }));
    const [gatewayStack, payment] = paymentStacks(app, cluster, { simulatedProvider: true, alarmAction });
    expect(describeFindings([...nagFindings(gatewayStack), ...nagFindings(payment!)])).toEqual([]);
    const template = Template.fromStack(payment!);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['payments.results'],
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"subject":[{"prefix":"ORD-"}]}}' }] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NOTIFY_URL: Match.anyValue(), PROVIDER_URL: Match.anyValue(), ORDERS_TABLE: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /orders', AuthorizationType: 'AWS_IAM' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /simulated-provider/v3/pay/transactions/jsapi', AuthorizationType: 'AWS_IAM' });
  });

  test('GIVEN the simulated provider THEN it notifies only the gateway\'s URL, its key secret has no value in the template, and only the order function may call it', () => {
    const { paymentStacks } = require('../../lib/examples/payment-stack') as typeof import('../../lib/examples/payment-stack');
    const app = newApp();
    const cluster = new KafkaCluster(new Stack(app, 'Foundation'), 'Cluster');
    const [, payment] = paymentStacks(app, cluster, { simulatedProvider: true });
    const template = Template.fromStack(payment!);
    const [keys] = Object.values(template.findResources('AWS::SecretsManager::Secret')) as any[];
    expect(keys.Properties.SecretString).toBeUndefined();
    expect(JSON.stringify(keys.Properties)).not.toContain('privateKey');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Simulated WeChat Pay'),
      Environment: { Variables: Match.objectLike({ NOTIFY_URL: { 'Fn::Join': ['', [Match.anyValue(), '/callbacks/wechat-pay']] } }) },
    });
    // arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<method>/<path>, any stage
    // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html
    const [api] = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
    const invokeJsapi = {
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':', { Ref: api }, '/*/POST/simulated-provider/v3/pay/transactions/jsapi']] },
    };
    const [order] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^POST /orders') } })) as Array<{ Properties: { Role: { 'Fn::GetAtt': [string, string] } } }>;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: order.Properties.Role['Fn::GetAtt'][0] }],
      PolicyDocument: { Statement: Match.arrayWith([invokeJsapi]) },
    });
    // and no other role may call the API at all
    const invokes = (Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Array<{ Action: unknown }> } } }>)
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st) => [st.Action].flat().some((a) => typeof a === 'string' && a.startsWith('execute-api:')));
    expect(invokes).toEqual([invokeJsapi]);
  });

  test('GIVEN no provider (the default) THEN only the gateway stack, and no simulated provider anywhere', () => {
    const { paymentStacks } = require('../../lib/examples/payment-stack') as typeof import('../../lib/examples/payment-stack');
    const app = newApp();
    const cluster = new KafkaCluster(new Stack(app, 'Foundation'), 'Cluster');
    expect(paymentStacks(app, cluster).map((s) => s.stackName)).toEqual(['MskPipelines-Gateway']);
  });
});
