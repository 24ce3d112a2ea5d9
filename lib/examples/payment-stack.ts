import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { IKafkaCluster } from '../cluster';
import { createFunction, KafkaConsumer, lambdaEntry } from '../consumer';
import { acknowledgeFunctionFindings } from '../function/acknowledge';
import { CallbackGateway, GatewayProvider } from '../gateway';
import { KafkaTopic } from '../topic';

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
    this.gateway = new CallbackGateway(this, 'Gateway', {
      cluster: props.cluster,
      resultsTopic: props.resultsTopicName
        ? new KafkaTopic(this, 'ResultsTopic', { cluster: props.cluster, topicName: props.resultsTopicName })
        : undefined,
      providers: { [WECHAT_PAY_PROVIDER]: GatewayProvider.wechatPay(), alipay: GatewayProvider.alipay(), 'generic-hmac': GatewayProvider.hmac() },
    });
    new CfnOutput(this, 'NotifyUrl', { value: this.gateway.notifyUrl(WECHAT_PAY_PROVIDER) });
    new CfnOutput(this, 'ResultsTopicName', { value: this.gateway.resultsTopic.topicName });
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
  public readonly providerFunction: NodejsFunction;
  public readonly providerNotifier: KafkaConsumer;
  public readonly providerKeys: secretsmanager.Secret;
  public readonly results: KafkaConsumer;
  public readonly overdueChecker: NodejsFunction;

  constructor(scope: Construct, id: string, props: PaymentStackProps) {
    super(scope, id, props);
    const { cluster, gateway } = props;
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
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: AccessLogFormat.jsonWithStandardFields() },
    });

    // The simulated provider: accepts at once, publishes the callback it owes to its own topic,
    // and a notifier sends the signed notification when it is due.
    const callbacks = new KafkaTopic(this, 'ProviderCallbacks', { cluster, topicName: props.callbackTopicName ?? 'simulated-provider.callbacks', partitions: 1 });
    this.providerFunction = createFunction(this, 'SimulatedProvider', {
      entry: lambdaEntry('examples/payment-provider'),
      description: 'Simulated WeChat Pay: accepts a payment and schedules its callback',
      timeout: Duration.seconds(10),
      vpc: cluster.vpc,
      vpcSubnets: cluster.vpcSubnets,
      securityGroups: [cluster.clientSecurityGroup],
      environment: {
        ...cluster.connectionEnvironment(),
        CALLBACK_TOPIC: callbacks.topicName,
        CALLBACK_DELAY_MS: String((props.callbackDelay ?? Duration.seconds(1)).toMilliseconds()),
        POWERTOOLS_SERVICE_NAME: 'simulated-provider',
      },
    });
    callbacks.grantProduce(this.providerFunction);
    acknowledgeFunctionFindings(this.providerFunction, 'the HTTP API');

    this.providerKeys = new secretsmanager.Secret(this, 'SimulatedProviderKeys', {
      description: 'Simulated provider: platform private key (PEM), its serial and the API v3 key; the gateway secret holds the public half',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ serial: 'SIMULATED', privateKey: '' }),
        generateStringKey: 'apiV3Key',
        passwordLength: 32,
        excludePunctuation: true,
      },
    });
    Validations.of(this.providerKeys).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'A simulation key pair, regenerated per run by the local demo' });
    this.providerNotifier = new KafkaConsumer(this, 'SimulatedProviderNotifier', {
      cluster,
      topic: callbacks,
      entry: lambdaEntry('examples/payment-provider-notifier'),
      consumerName: 'simulated-provider-notifier',
      batchSize: 10,
      timeout: Duration.seconds(30),
      environment: { PROVIDER_SECRET_ARN: this.providerKeys.secretArn },
    });
    this.providerKeys.grantRead(this.providerNotifier.function);

    // The caller: outside the VPC, it reaches the provider's public endpoint and DynamoDB directly.
    this.orderFunction = createFunction(this, 'OrderFunction', {
      entry: lambdaEntry('examples/payment-order'),
      description: 'POST /orders: records an order and asks the provider to start the payment',
      timeout: Duration.seconds(10),
      environment: {
        ORDERS_TABLE: this.orders.tableName,
        PROVIDER_URL: `${this.api.apiEndpoint}${SIMULATED_PROVIDER_PATH}`,
        NOTIFY_URL: gateway.notifyUrl(WECHAT_PAY_PROVIDER),
        PAYMENT_DEADLINE_SECONDS: String(deadline.toSeconds()),
        POWERTOOLS_SERVICE_NAME: 'payment-order',
      },
    });
    this.orders.grantReadWriteData(this.orderFunction);
    acknowledgeFunctionFindings(this.orderFunction, 'the HTTP API (POST /orders), which returns its errors to the caller');

    const [orderRoute] = this.api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Orders', this.orderFunction) });
    const [providerRoute] = this.api.addRoutes({ path: SIMULATED_PROVIDER_PATH, methods: [apigwv2.HttpMethod.POST], integration: new HttpLambdaIntegration('Provider', this.providerFunction) });
    for (const route of [orderRoute, providerRoute]) {
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'Example routes; put a JWT or IAM authorizer in front before production use' });
    }

    this.results = gateway.subscribe(this, 'PaymentResults', {
      entry: lambdaEntry('examples/payment-result'),
      consumerName: 'payment-results',
      correlationPrefix: 'ORD-',
      environment: { ORDERS_TABLE: this.orders.tableName },
    });
    this.orders.grantReadWriteData(this.results.function);

    this.overdueChecker = createFunction(this, 'OverdueChecker', {
      entry: lambdaEntry('examples/payment-overdue'),
      description: 'Flags PENDING orders past their payment deadline for a status query',
      timeout: Duration.seconds(60),
      environment: { ORDERS_TABLE: this.orders.tableName, POWERTOOLS_SERVICE_NAME: 'payment-overdue' },
    });
    this.orders.grantReadWriteData(this.overdueChecker);
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
      reason: 'grantReadWriteData includes the table\'s indexes (the overdue checker queries byStatus)',
    });

    new CfnOutput(this, 'OrdersUrl', { value: `${this.api.apiEndpoint}/orders` });
    new CfnOutput(this, 'OrdersTable', { value: this.orders.tableName });
  }
}

/** The gateway stack and the payment example on top of it, as the example app adds them. */
export function paymentStacks(scope: Construct, cluster: IKafkaCluster): [CallbackGatewayStack, PaymentStack] {
  const gatewayStack = new CallbackGatewayStack(scope, 'MskPipelines-Gateway', {
    cluster,
    description: 'MSK event pipelines: callback gateway (HTTP API → verifier → payments.results)',
  });
  const payment = new PaymentStack(scope, 'MskPipelines-Payment', {
    cluster,
    gateway: gatewayStack.gateway,
    description: 'MSK event pipelines: payment example (orders, simulated provider, result consumer, overdue checker)',
  });
  return [gatewayStack, payment];
}
