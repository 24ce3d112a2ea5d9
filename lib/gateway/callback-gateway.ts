import { Duration, RemovalPolicy, Stack, Tokenization, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { validate, validateDuration, validateInteger, validateNumber, validatePattern, ValidationError } from '../core/validate';
import { SIGNATURE_VERIFIED, SIGNATURE_VERIFIED_METADATA } from '../checks/rules/write-route-authorized';
import { IKafkaCluster } from '../cluster';
import { httpApiAccessLogFormat } from '../http';
import { KafkaConsumer, KafkaConsumerProps } from '../consumer';
import { createFunction, lambdaEntry } from '../function/project-function';
import { acknowledgeFunctionFindings } from '../function/acknowledge';
import { IKafkaTopic, KafkaTopic } from '../topic';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_SECRET_CACHE_SECONDS, GatewayEnv, providerSecretEnv, type ProviderConfig } from '../../lambdas/runtime/gateway/gateway-env';
import { GatewayProvider } from './gateway-provider';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** Stage throttling of the gateway's HTTP API. */
export interface GatewayThrottling {
  /** Steady-state requests per second (1..10000). */
  readonly rateLimit: number;
  /** Burst requests (1..5000). */
  readonly burstLimit: number;
}

/** Properties of a callback gateway. */
export interface CallbackGatewayProps {
  /** The cluster of the results topic. */
  readonly cluster: IKafkaCluster;
  /**
   * The topic verified results are published to, keyed by correlation id.
   * @default - a new topic `payments.results`
   */
  readonly resultsTopic?: IKafkaTopic;
  /**
   * Providers by path name (`POST /callbacks/<name>`): lower-case letters, digits and dashes.
   */
  readonly providers: Record<string, GatewayProvider>;
  /**
   * Largest accepted body in bytes (1..1048576); larger bodies get 413.
   * @default 65536
   */
  readonly maxBodyBytes?: number;
  /**
   * Stage throttling.
   * @default { rateLimit: 100, burstLimit: 200 }
   */
  readonly throttling?: GatewayThrottling;
  /**
   * How long dedupe markers are kept, i.e. how late a repeated notification is still recognised.
   * @default Duration.days(7) - longer than the providers' retry windows (Alipay retries for
   * 25 hours, Stripe for up to three days)
   */
  readonly dedupeRetention?: Duration;
  /**
   * How long each gateway container keeps a provider's secret before reading it again
   * (0 s..1 hour, whole seconds). A key rotated in Secrets Manager takes effect within this time,
   * without a deploy; each container reads each provider's secret at most once per period.
   * @default Duration.minutes(5)
   */
  readonly secretCacheTtl?: Duration;
  /**
   * Retention of the access logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** Options of a caller's subscription to its own results. */
export interface ResultSubscriptionProps extends Omit<KafkaConsumerProps, 'cluster' | 'topic' | 'filters'> {
  /**
   * Only results whose correlation id (the event's `subject`) starts with this prefix.
   * @default - no subject filter (give `filters` or `types` instead)
   */
  readonly correlationPrefix?: string;
  /**
   * Only results of these types, e.g. `['payment.succeeded']`.
   * @default - every type
   */
  readonly types?: string[];
  /**
   * Raw ESM filter patterns, used instead of the ones built from `correlationPrefix`/`types`.
   * @default - built from correlationPrefix and types
   */
  readonly filters?: Array<Record<string, any>>;
}

const PROVIDER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * One HTTP endpoint for every third-party callback: API Gateway HTTP API
 * (`POST /callbacks/{provider}`, throttled, access-logged) → the gateway function (verifies with
 * the provider's verifier and keys from Secrets Manager, deduplicates in DynamoDB) → the results
 * topic, keyed by the caller's correlation id. Callers subscribe with `subscribe()`; adding one
 * changes nothing here.
 */
export class CallbackGateway extends Construct {
  /** The HTTP API providers post callbacks to. */
  public readonly api: apigwv2.HttpApi;
  /** The API's default stage (throttling, access logs). */
  public readonly stage: apigwv2.HttpStage;
  /** The stage's access logs. */
  public readonly accessLogs: logs.LogGroup;
  /** The gateway function: verifies, dedupes and publishes each callback. */
  public readonly function: NodejsFunction;
  /** The topic verified results are published to. */
  public readonly resultsTopic: IKafkaTopic;
  /** Dedupe markers of the notifications already published. */
  public readonly dedupeTable: dynamodb.Table;
  /** The cluster of the results topic. */
  public readonly cluster: IKafkaCluster;
  /** Provider names this gateway accepts. */
  public readonly providerNames: string[];
  /** Each provider's key secret, by provider name (what a key-provisioning step writes). */
  public readonly providerSecrets: Record<string, secretsmanager.ISecret> = {};

  constructor(scope: Construct, id: string, props: CallbackGatewayProps) {
    super(scope, id);
    this.cluster = props.cluster;
    this.providerNames = Object.keys(props.providers);
    const maxBodyBytes = props.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const throttling = props.throttling ?? { rateLimit: 100, burstLimit: 200 };
    const secretCacheTtl = props.secretCacheTtl ?? Duration.seconds(DEFAULT_SECRET_CACHE_SECONDS);
    this.validateProps({ maxBodyBytes, throttling, secretCacheTtl });
    const secretCacheSeconds = secretCacheTtl.isUnresolved() ? secretCacheTtl.toSeconds() : secretCacheTtl.toSeconds({ integral: false });

    this.resultsTopic = props.resultsTopic ?? new KafkaTopic(this, 'ResultsTopic', { cluster: props.cluster, topicName: 'payments.results' });

    this.dedupeTable = new dynamodb.Table(this, 'DedupeTable', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const environment: Record<string, string> = {};
    const providerConfig: Record<string, ProviderConfig> = {};
    const bound = this.providerNames.map((name) => {
      const b = props.providers[name]._bind(this, name);
      this.providerSecrets[name] = b.secret;
      const secretEnv = providerSecretEnv(name);
      environment[secretEnv] = b.secret.secretArn;
      providerConfig[name] = { ...b.config, secretEnv } as ProviderConfig;
      return b;
    });

    this.function = createFunction(this, 'Function', {
      entry: lambdaEntry('functions/gateway'),
      description: `Callback gateway: verifies provider callbacks and publishes results to ${this.resultsTopic.topicName}`,
      timeout: Duration.seconds(10),
      vpc: props.cluster.vpc,
      vpcSubnets: props.cluster.vpcSubnets,
      securityGroups: [props.cluster.clientSecurityGroup],
      environment: {
        ...props.cluster.connectionEnvironment(),
        ...environment,
        [GatewayEnv.PROVIDERS]: JSON.stringify(providerConfig),
        [GatewayEnv.RESULTS_TOPIC]: this.resultsTopic.topicName,
        [GatewayEnv.DEDUPE_TABLE]: this.dedupeTable.tableName,
        [GatewayEnv.DEDUPE_RETENTION_SECONDS]: String((props.dedupeRetention ?? Duration.days(7)).toSeconds()),
        [GatewayEnv.MAX_BODY_BYTES]: Tokenization.stringifyNumber(maxBodyBytes),
        [GatewayEnv.SECRET_CACHE_SECONDS]: Tokenization.stringifyNumber(secretCacheSeconds),
        [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: 'gateway',
      },
    });
    this.resultsTopic.grantProduce(this.function);
    this.dedupeTable.grant(this.function, 'dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    for (const b of bound) b.secret.grantRead(this.function);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Callback gateway: POST /callbacks/{provider}',
      createDefaultStage: false,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: throttling,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: httpApiAccessLogFormat(),
      },
    });
    const integration = new HttpLambdaIntegration('Integration', this.function);
    // POST is the callback; every other method reaches the function too, which answers 405.
    this.api.addRoutes({ path: '/callbacks/{provider}', methods: [apigwv2.HttpMethod.POST], integration });
    this.api.addRoutes({ path: '/callbacks/{provider}', methods: [apigwv2.HttpMethod.ANY], integration });

    this.acknowledgeNagFindings();
  }

  /** Base URL of the API (no trailing slash). */
  public get url(): string {
    return this.api.apiEndpoint;
  }

  /** The notify URL to hand to `provider`: `<api>/callbacks/<provider>`. */
  public notifyUrl(provider: string): string {
    if (!this.providerNames.includes(provider)) {
      throw new ValidationError(this, `provider must be one of ${this.providerNames.join(', ')}, got '${provider}'`);
    }
    return `${this.api.apiEndpoint}/callbacks/${provider}`;
  }

  /**
   * A consumer of the results topic that receives only the caller's own results (ESM filter
   * on the event's subject prefix and/or type). It lives in `scope` (the caller's), so the
   * gateway's resources stay unchanged.
   */
  public subscribe(scope: Construct, id: string, props: ResultSubscriptionProps): KafkaConsumer {
    const { correlationPrefix, types, filters, ...rest } = props;
    let patterns = filters;
    if (!patterns) {
      const value: Record<string, unknown> = {};
      if (correlationPrefix !== undefined) {
        validate(this, correlationPrefix.length > 0, 'correlationPrefix must not be empty, got \'\'');
        value.subject = [{ prefix: correlationPrefix }];
      }
      if (types !== undefined) {
        validate(this, types.length > 0, 'types must name at least one type, got []');
        value.type = types;
      }
      if (Object.keys(value).length === 0) {
        throw new ValidationError(this, 'subscribe needs correlationPrefix, types or filters so that a caller receives only its own results');
      }
      patterns = [{ value }];
    }
    // A caller in another stack reads the results topic by name and the cluster through its own
    // reference, so that its stack imports nothing from the gateway's.
    const elsewhere = Stack.of(scope) !== Stack.of(this);
    const cluster = this.cluster.referenceFrom(scope);
    const topic = elsewhere
      ? KafkaTopic.fromTopicAttributes(scope, `${id}ResultsTopic`, { cluster, topicName: this.resultsTopic.topicName, partitions: this.resultsTopic.partitions, replicationFactor: this.resultsTopic.replicationFactor })
      : this.resultsTopic;
    return new KafkaConsumer(scope, id, { ...rest, cluster, topic, filters: patterns });
  }

  /** 4xx answers of the API (bad signatures, malformed and oversized callbacks). */
  public metricClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricClientError({ period: Duration.minutes(1), ...props });
  }

  /** 5xx answers of the API (the provider retries these). */
  public metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.api.metricServerError({ period: Duration.minutes(1), ...props });
  }

  /** Lets the grantee read the dedupe table (e.g. an operator tool). */
  public grantReadDedupe(grantee: iam.IGrantable): iam.Grant {
    return this.dedupeTable.grantReadData(grantee);
  }

  private acknowledgeNagFindings(): void {
    acknowledgeFunctionFindings(this.function, 'API Gateway (the provider retries on a 5xx answer)');
    for (const route of this.api.node.children) {
      if (!(route instanceof apigwv2.HttpRoute)) continue;
      // The template checks (lib/checks) accept an open write route only with this mark.
      (route.node.defaultChild as apigwv2.CfnRoute).addMetadata(SIGNATURE_VERIFIED_METADATA, SIGNATURE_VERIFIED);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Providers cannot send IAM/JWT credentials; each callback is authenticated by its provider signature in the gateway function',
      });
    }
  }
  /** Every rule on the props, checked before anything is built; tokens are left to deploy time. */
  private validateProps(resolved: { maxBodyBytes: number; throttling: GatewayThrottling; secretCacheTtl: Duration }): void {
    validate(this, this.providerNames.length > 0, 'providers must name at least one provider, got none');
    for (const name of this.providerNames) {
      validatePattern(this, 'providers: name', name, PROVIDER_NAME, '1-63 characters of [a-z0-9-]');
    }
    validateInteger(this, 'maxBodyBytes', resolved.maxBodyBytes, 1, MAX_PAYLOAD_BYTES);
    validateNumber(this, 'throttling.rateLimit', resolved.throttling.rateLimit, { min: 1, max: 10_000, integer: false });
    validateInteger(this, 'throttling.burstLimit', resolved.throttling.burstLimit, 1, 5000);
    validateDuration(this, 'secretCacheTtl', resolved.secretCacheTtl, { maxSeconds: 3600, wholeSeconds: true, print: 'seconds' });
  }
}

/**
 * The project's cap on `maxBodyBytes` (1 MiB): provider notifications are a few KiB, and the cap
 * stays well below what API Gateway's HTTP API and Lambda's synchronous invocation would carry.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
const MAX_PAYLOAD_BYTES = 1_048_576;
