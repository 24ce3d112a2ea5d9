import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { httpApiAccessLogFormat } from '../http';
import { IKafkaCluster } from '../cluster';
import { ValidationError } from '../core/validate';
import { KafkaConsumer } from '../consumer';
import { createFunction, lambdaEntry } from '../function/project-function';
import { acknowledgeFunctionFindings } from '../function/acknowledge';
import { CallbackGateway, GatewayProvider } from '../gateway';
import { KafkaTopic } from '../topic';
import { PaymentEnv } from '../../lambdas/examples/contracts/payment-env';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** Provider name of the example's WeChat Pay integration (`POST /callbacks/wechat-pay`). */
export const WECHAT_PAY_PROVIDER = 'wechat-pay';
/** Path of the simulated provider's order API. */
export const SIMULATED_PROVIDER_PATH = '/simulated-provider/v3/pay/transactions/jsapi';

/** Properties of the callback gateway stack. */
export interface CallbackGatewayStackProps extends StackProps {
  /** The cluster of the results topic. */
  readonly cluster: IKafkaCluster;
  /**
   * Name of the results topic.
   * @default 'payments.results'
   */
  readonly resultsTopicName?: string;
}

/** The shared callback gateway: WeChat Pay v3, Alipay and a generic HMAC provider. Callers live in their own stacks. */
export class CallbackGatewayStack extends Stack {
  public readonly gateway: CallbackGateway;

  constructor(scope: Construct, id: string, props: CallbackGatewayStackProps) {
    super(scope, id, props);
    const cluster = props.cluster.referenceFrom(this);
    this.gateway = new CallbackGateway(this, 'Gateway', {
      cluster,
      resultsTopic: props.resultsTopicName
        ? new KafkaTopic(this, 'ResultsTopic', { cluster, topicName: props.resultsTopicName })
        : undefined,
      providers: { [WECHAT_PAY_PROVIDER]: GatewayProvider.wechatPay(), alipay: GatewayProvider.alipay(), 'generic-hmac': GatewayProvider.hmac() },
    });
    new CfnOutput(this, 'NotifyUrl', { value: this.gateway.notifyUrl(WECHAT_PAY_PROVIDER) });
    new CfnOutput(this, 'ResultsTopicName', { value: this.gateway.resultsTopic.topicName });
    new CfnOutput(this, 'WechatPaySecretArn', { value: this.gateway.providerSecrets[WECHAT_PAY_PROVIDER].secretArn, description: 'bin/provision-payment-keys.ts --gateway-secret' });
  }
}

/** Properties of the payment example. */
export interface PaymentStackProps extends StackProps {
  /** The cluster (results topic and the simulated provider's topic). */
  readonly cluster: IKafkaCluster;
  /** The gateway the provider calls back. */
  readonly gateway: CallbackGateway;
  /**
   * How long an order waits for its callback before it is flagged for a status query.
   * @default Duration.minutes(15)
   */
  readonly paymentDeadline?: Duration;
  /**
   * How often the overdue checker runs.
   * @default Duration.minutes(5)
   */
  readonly overdueCheckInterval?: Duration;
  /**
   * Delay of the simulated provider's callback.
   * @default Duration.seconds(1)
   */
  readonly callbackDelay?: Duration;
  /**
   * Name of the simulated provider's own topic of callbacks it owes.
   * @default 'simulated-provider.callbacks'
   */
  readonly callbackTopicName?: string;
  /**
   * Deploy the simulated WeChat Pay (a local-mode fixture): its route (IAM-authorized, invoked by
   * the order function only), its function, its callback topic, its notifier (which needs a NAT to
   * reach the gateway's public URL) and its key secret, filled by `bin/provision-payment-keys.ts`.
   * @default false
   */
  readonly simulatedProvider?: boolean;
  /**
   * The payment provider's order API, when `simulatedProvider` is false.
   * @default - the simulated provider's route; required without it
   */
  readonly providerUrl?: string;
  /**
   * Open `POST /orders` to unauthenticated callers (a demo only).
   * @default false: IAM authorization, callers sign with SigV4
   */
  readonly openRoutes?: boolean;
  /**
   * What the stack's alarms do when they fire and clear.
   * @default - none
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The caller's side of the callback gateway, as an example: `POST /orders` records a PENDING
 * order and asks a (simulated) WeChat Pay to start the payment with the gateway's notify URL;
 * the provider calls back later; the caller's result consumer — subscribed to `ORD-` results
 * only — marks the order PAID; a scheduled checker flags orders past their deadline.
 * Nothing in the gateway stack knows this stack.
 */
export class PaymentStack extends Stack {
  public readonly orders: dynamodb.Table;
  public readonly api: apigwv2.HttpApi;
  public readonly orderFunction: NodejsFunction;
  /** `POST /orders`. */
  public readonly ordersRoute: apigwv2.HttpRoute;
  /** The simulated provider's function (with `simulatedProvider`). */
  public readonly providerFunction?: NodejsFunction;
  /** The simulated provider's notifier (with `simulatedProvider`). */
  public readonly providerNotifier?: KafkaConsumer;
  /** The simulated provider's keys, filled by bin/provision-payment-keys.ts (with `simulatedProvider`). */
  public readonly providerKeys?: secretsmanager.Secret;
  public readonly results: KafkaConsumer;
  public readonly overdueChecker: NodejsFunction;

  constructor(scope: Construct, id: string, props: PaymentStackProps) {
    super(scope, id, props);
    const { gateway } = props;
    const cluster = props.cluster.referenceFrom(this);
    const deadline = props.paymentDeadline ?? Duration.minutes(15);

    this.orders = new dynamodb.Table(this, 'Orders', {
      partitionKey: { name: 'orderNumber', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.orders.addGlobalSecondaryIndex({
      indexName: 'byStatus',
      partitionKey: { name: 'status', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'deadline', type: dynamodb.AttributeType.STRING },
    });

    this.api = new apigwv2.HttpApi(this, 'Api', { description: 'Payment example: orders and a simulated provider', createDefaultStage: false });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 40 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: httpApiAccessLogFormat() },
    });

    const notifyUrl = gateway.notifyUrl(WECHAT_PAY_PROVIDER);
    let providerUrl = props.providerUrl;
    let providerRoute: apigwv2.HttpRoute | undefined;
    if (props.simulatedProvider) {
      const simulated = this.simulatedProvider(cluster, notifyUrl, props);
      this.providerFunction = simulated.fn;
      this.providerNotifier = simulated.notifier;
      this.providerKeys = simulated.keys;
      [providerRoute] = this.api.addRoutes({
        path: SIMULATED_PROVIDER_PATH,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration('Provider', simulated.fn),
        authorizer: new HttpIamAuthorizer(),
      });
      providerUrl = `${this.api.apiEndpoint}${SIMULATED_PROVIDER_PATH}`;
    } else if (!providerUrl) {
      throw new ValidationError(this, 'providerUrl must name the payment provider\'s order API when simulatedProvider is false, got undefined');
    }

    // The caller: outside the VPC, it reaches the provider's public endpoint and DynamoDB directly.
    this.orderFunction = createFunction(this, 'OrderFunction', {
      entry: lambdaEntry('examples/payment-order'),
      description: 'POST /orders: records an order and asks the provider to start the payment',
      timeout: Duration.seconds(10),
      environment: {
        [PaymentEnv.ORDERS_TABLE]: this.orders.tableName,
        [PaymentEnv.PROVIDER_URL]: providerUrl,
        [PaymentEnv.NOTIFY_URL]: notifyUrl,
        [PaymentEnv.PAYMENT_DEADLINE_SECONDS]: String(deadline.toSeconds()),
        [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: 'payment-order',
      },
    });
    this.orders.grant(this.orderFunction, 'dynamodb:PutItem');
    if (providerRoute) {
      providerRoute.grantInvoke(this.orderFunction);
      const apiId = this.getLogicalId(this.api.node.defaultChild as apigwv2.CfnApi);
      Validations.of(this.orderFunction).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/*/POST${SIMULATED_PROVIDER_PATH}]`,
        reason: 'execute-api:Invoke on the one provider route, in any stage of the API (the * is the stage)',
      });
    }
    acknowledgeFunctionFindings(this.orderFunction, 'the HTTP API (POST /orders), which returns its errors to the caller');

    const [orderRoute] = this.api.addRoutes({
      path: '/orders',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Orders', this.orderFunction),
      authorizer: props.openRoutes ? undefined : new HttpIamAuthorizer(),
    });
    this.ordersRoute = orderRoute;
    if (props.openRoutes) {
      for (const id of ['AwsSolutions-APIG4', 'MskPipelines-WriteRouteAuthorized']) {
        Validations.of(orderRoute).acknowledge({ id, reason: 'Opened on purpose for a demo (context openWriteRoutes=true); IAM authorization is the default' });
      }
    }

    this.results = gateway.subscribe(this, 'PaymentResults', {
      entry: lambdaEntry('examples/payment-result'),
      consumerName: 'payment-results',
      correlationPrefix: 'ORD-',
      environment: { [PaymentEnv.ORDERS_TABLE]: this.orders.tableName },
      alarmAction: props.alarmAction,
    });
    this.orders.grant(this.results.function, 'dynamodb:UpdateItem');

    this.overdueChecker = createFunction(this, 'OverdueChecker', {
      entry: lambdaEntry('examples/payment-overdue'),
      description: 'Flags PENDING orders past their payment deadline for a status query',
      timeout: Duration.seconds(60),
      environment: { [PaymentEnv.ORDERS_TABLE]: this.orders.tableName, [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: 'payment-overdue' },
    });
    this.orders.grant(this.overdueChecker, 'dynamodb:Query', 'dynamodb:UpdateItem');
    acknowledgeFunctionFindings(this.overdueChecker, 'EventBridge Scheduler (which retries and drops after maxEventAge)');
    new scheduler.Schedule(this, 'OverdueSchedule', {
      description: 'Flags overdue payments',
      schedule: scheduler.ScheduleExpression.rate(props.overdueCheckInterval ?? Duration.minutes(5)),
      target: new targets.LambdaInvoke(this.overdueChecker, { input: scheduler.ScheduleTargetInput.fromObject({}), retryAttempts: 3, maxEventAge: Duration.hours(1) }),
    });
    const checkerId = this.getLogicalId(this.overdueChecker.node.defaultChild as any);
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${checkerId}.Arn>:*]`,
      reason: 'EventBridge Scheduler\'s role invokes the overdue checker and its versions (LambdaInvoke grants ARN and ARN:*)',
    });
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.orders.node.defaultChild as any)}.Arn>/index/*]`,
      reason: 'The overdue checker queries the byStatus index; table grants cover the table\'s indexes',
    });

    new CfnOutput(this, 'OrdersUrl', { value: `${this.api.apiEndpoint}/orders` });
    new CfnOutput(this, 'OrdersTable', { value: this.orders.tableName });
    if (this.providerKeys) new CfnOutput(this, 'ProviderKeysSecretArn', { value: this.providerKeys.secretArn, description: 'bin/provision-payment-keys.ts --provider-secret' });
  }

  /**
   * The simulated provider: accepts at once, publishes the callback it owes to its own topic, and a
   * notifier sends the signed notification to the gateway's notify URL (and nowhere else) when due.
   */
  private simulatedProvider(cluster: IKafkaCluster, notifyUrl: string, props: PaymentStackProps) {
    const callbacks = new KafkaTopic(this, 'ProviderCallbacks', { cluster, topicName: props.callbackTopicName ?? 'simulated-provider.callbacks', partitions: 1 });
    const fn = createFunction(this, 'SimulatedProvider', {
      entry: lambdaEntry('examples/payment-provider'),
      description: 'Simulated WeChat Pay: accepts a payment and schedules its callback to the gateway',
      timeout: Duration.seconds(10),
      vpc: cluster.vpc,
      vpcSubnets: cluster.vpcSubnets,
      securityGroups: [cluster.clientSecurityGroup],
      environment: {
        ...cluster.connectionEnvironment(),
        [PaymentEnv.CALLBACK_TOPIC]: callbacks.topicName,
        [PaymentEnv.CALLBACK_DELAY_MS]: String((props.callbackDelay ?? Duration.seconds(1)).toMilliseconds()),
        [PaymentEnv.NOTIFY_URL]: notifyUrl,
        [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: 'simulated-provider',
      },
    });
    callbacks.grantProduce(fn);
    acknowledgeFunctionFindings(fn, 'the HTTP API');

    // No secret value in the template: bin/provision-payment-keys.ts writes the key pair after deploy.
    const keys = new secretsmanager.Secret(this, 'SimulatedProviderKeys', {
      description: 'Simulated provider: platform private key (PEM), its serial and the API v3 key, written by bin/provision-payment-keys.ts; the gateway secret holds the public half',
    });
    Validations.of(keys).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'A simulation key pair, replaced by bin/provision-payment-keys.ts (and per run by the local demo)' });
    const notifier = new KafkaConsumer(this, 'SimulatedProviderNotifier', {
      cluster,
      topic: callbacks,
      entry: lambdaEntry('examples/payment-provider-notifier'),
      consumerName: 'simulated-provider-notifier',
      batchSize: 10,
      timeout: Duration.seconds(30),
      environment: { [PaymentEnv.PROVIDER_SECRET_ARN]: keys.secretArn },
      alarmAction: props.alarmAction,
    });
    keys.grantRead(notifier.function);
    return { fn, notifier, keys };
  }
}

/** Options of the payment example in the example app. */
export interface PaymentExampleOptions {
  /** Deploy the simulated provider (context `simulatedProvider`). @default false */
  readonly simulatedProvider?: boolean;
  /** A real provider's order API (context `paymentProviderUrl`). @default - none */
  readonly providerUrl?: string;
  /** Open POST /orders for a demo (context `openWriteRoutes`). @default false */
  readonly openRoutes?: boolean;
  /** Alarm action of the stacks' alarms. @default - none */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * The gateway stack and, when it has a provider to call (the simulated one or `providerUrl`), the
 * payment example on top of it, as the example app adds them.
 */
export function paymentStacks(scope: Construct, cluster: IKafkaCluster, options: PaymentExampleOptions = {}): CallbackGatewayStack[] | [CallbackGatewayStack, PaymentStack] {
  const gatewayStack = new CallbackGatewayStack(scope, 'MskPipelines-Gateway', {
    cluster,
    description: 'MSK event pipelines: callback gateway (HTTP API → verifier → payments.results)',
  });
  if (!options.simulatedProvider && !options.providerUrl) return [gatewayStack];
  const payment = new PaymentStack(scope, 'MskPipelines-Payment', {
    cluster,
    gateway: gatewayStack.gateway,
    simulatedProvider: options.simulatedProvider,
    providerUrl: options.providerUrl,
    openRoutes: options.openRoutes,
    alarmAction: options.alarmAction,
    description: `MSK event pipelines: payment example (orders, ${options.simulatedProvider ? 'simulated provider, ' : ''}result consumer, overdue checker)`,
  });
  return [gatewayStack, payment];
}
