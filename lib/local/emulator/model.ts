/**
 * The graph the emulator runs, read from a synthesized cloud assembly. Every field comes from a
 * template property; nothing here is declared by hand.
 */

/** A Kafka topic declared by `AWS::MSK::Topic` or `Custom::KafkaTopic`, or implied by a mapping. */
export interface TopicModel {
  /** The topic name (`TopicName`, else the logical id). */
  readonly name: string;
  /** Partition count from the template (`PartitionCount` / `NumPartitions`); -1 when implied by a mapping and unknown (created with 1). */
  readonly partitions: number;
  /** Replication factor from the template (1 when implied); the local broker creates every topic with 1. */
  readonly replicationFactor: number;
  /** Topic configs (`retention.ms`, `cleanup.policy`, …) from the template, as strings; applied when the topic is created. */
  readonly configs: Record<string, string>;
  /** Logical id of the declaring resource; undefined when implied (mapping topic, dead-letter topic). */
  readonly logicalId?: string;
  /** The stack that declares it; undefined when implied. */
  readonly stack?: string;
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

/** A DynamoDB table declared by `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable`. */
export interface TableModel {
  /** The table name: `TableName`, else `<stack>-<logicalId>` (CloudFormation's generated name without its random suffix). */
  readonly name: string;
  /** Logical id of the table resource. */
  readonly logicalId: string;
  /** The stack that declares it. */
  readonly stack: string;
  /** The template's `KeySchema`: partition key (`HASH`) and optional sort key (`RANGE`). */
  readonly keySchema: KeyElement[];
  /** The template's `AttributeDefinitions`: name and type (`S`, `N`, `B`) of each key attribute. */
  readonly attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  /** The template's `GlobalSecondaryIndexes` (projection `ALL` when the template gives none); empty when none. */
  readonly globalSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: unknown }[];
  /** The template's `LocalSecondaryIndexes` (projection `ALL` when the template gives none); empty when none. */
  readonly localSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: unknown }[];
  /** The TTL attribute (`TimeToLiveSpecification.AttributeName`), when TTL is enabled; set on the local table too. */
  readonly ttlAttribute?: string;
  /** `StreamSpecification.StreamViewType`, when the table has a stream; read and listed, not emulated. */
  readonly streamViewType?: string;
}

/** A Node.js function (`AWS::Lambda::Function`) whose bundled code is in the assembly. */
export interface FunctionModel {
  /** Local function name: `FunctionName` if set, else `<stack>-<logicalId>`. */
  readonly name: string;
  /** Logical id of the function resource. */
  readonly logicalId: string;
  /** The stack that declares it. */
  readonly stack: string;
  /** Construct path of the function's resource (`aws:cdk:path`, else the assembly's `aws:cdk:logicalId` metadata), when known. */
  readonly path?: string;
  /** Local ARN, `arn:aws:lambda:<region>:000000000000:function:<name>` (what references to the function resolve to). */
  readonly arn: string;
  /** Absolute directory holding the bundled code (`cdk.out/asset.<hash>`). */
  readonly codeDir: string;
  /** `Handler` as in the template, e.g. `index.handler`. */
  readonly handler: string;
  /** `Runtime` as in the template, e.g. `nodejs20.x` (only `nodejs*` functions are read). */
  readonly runtime: string;
  /** Seconds (template `Timeout`, default 3 as on AWS). */
  readonly timeout: number;
  /** MB (template `MemorySize`, default 128 as on AWS): the handler's `memoryLimitInMB`; its worker's heap limit is this, at least 256 MB. */
  readonly memorySize: number;
  /** Environment with template references resolved and local variables added. */
  readonly environment: Record<string, string>;
}

/**
 * A Kafka event source mapping (`AWS::Lambda::EventSourceMapping` on MSK or self-managed Kafka).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventsourcemapping.html
 */
export interface MappingModel {
  /** Logical id of the mapping resource. */
  readonly logicalId: string;
  /** The stack that declares it. */
  readonly stack: string;
  /** Local name of the function it invokes (`FunctionModel.name`). */
  readonly functionName: string;
  /** The template's `Topics`: the topic names the mapping reads. */
  readonly topics: string[];
  /** `aws:kafka` for MSK, `SelfManagedKafka` for self-managed bootstrap servers. */
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka';
  /** The MSK cluster's ARN (`EventSourceArn`); undefined for self-managed Kafka. */
  readonly eventSourceArn?: string;
  /** Where a new consumer group starts reading (`StartingPosition`; `LATEST` when the template omits it). */
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** With `AT_TIMESTAMP`: the time to start from, in Unix seconds (`StartingPositionTimestamp`). */
  readonly startingPositionTimestamp?: number;
  /** Most records per invocation (`BatchSize`; 100, Lambda's default for Kafka, when omitted). */
  readonly batchSize: number;
  /** Seconds; AWS's default for Kafka is 0.5. */
  readonly batchingWindow: number;
  /** The `FilterCriteria` patterns, parsed from JSON; a record reaches the function when any matches (all when empty). */
  readonly filters: unknown[];
  /** The Kafka consumer group (`ConsumerGroupId`; else `lambda-esm-<stack>-<logicalId>` locally, where AWS would use the mapping's UUID). */
  readonly consumerGroupId: string;
  /** `kafka://<topic>` or an SQS queue ARN, resolved. */
  readonly onFailure?: { kind: 'kafka'; topic: string } | { kind: 'sqs'; queue: string; arn: string } | { kind: 'other'; arn: string };
  /** Whether `FunctionResponseTypes` holds `ReportBatchItemFailures` (partial batch responses honoured). */
  readonly reportBatchItemFailures: boolean;
  /** -1 = infinite (as on AWS). */
  readonly maximumRetryAttempts: number;
  /** `BisectBatchOnFunctionError`: a failed batch is split in two and each half retried. */
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 = infinite. */
  readonly maximumRecordAgeInSeconds: number;
  /**
   * `ProvisionedPollerConfig` (`MinimumPollers`, `MaximumPollers`), when set: read and listed, not emulated (one consumer per mapping).
   * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html
   */
  readonly provisionedPollers?: { minimum?: number; maximum?: number };
  /** `Enabled` (true when omitted); a disabled mapping is listed but not run. */
  readonly enabled: boolean;
}

/** An HTTP API route (`AWS::ApiGatewayV2::Route`) with a Lambda proxy integration. */
export interface RouteModel {
  /** Logical id of the route's API, in the stack `api` names (the route's own stack, unless imported). */
  readonly apiLogicalId: string;
  /** `<stack>/<logical id>` of the route's API: the key `Emulator.httpUrlFor` takes. */
  readonly api: string;
  /** The stack that declares the route. */
  readonly stack: string;
  /** `POST /callbacks/{provider}` or `$default`. */
  readonly routeKey: string;
  /** `NONE`, `AWS_IAM`, `JWT` or `CUSTOM` (template `AuthorizationType`); undefined means `NONE`. */
  readonly authorizationType?: string;
  /** Name of the function the route's integration invokes (from its `IntegrationUri`). */
  readonly functionName: string;
  /** The integration's `PayloadFormatVersion` (`2.0` when omitted); read and listed: the local API sends every function a 2.0 event. */
  readonly payloadFormatVersion: string;
}

/** An EventBridge Scheduler schedule (`AWS::Scheduler::Schedule`); the emulator runs it on `triggerSchedule` only. */
export interface ScheduleModel {
  /** The schedule's name (`Name`, else `<stack>-<logicalId>`). */
  readonly name: string;
  /** Logical id of the schedule resource. */
  readonly logicalId: string;
  /** The stack that declares it. */
  readonly stack: string;
  /** `ScheduleExpression`, e.g. `cron(0 2 * * ? *)` or `rate(1 hour)`. */
  readonly expression?: string;
  /** `ScheduleExpressionTimezone` (IANA name); AWS evaluates the expression in UTC when it is unset. */
  readonly timezone?: string;
  /** Name of the target function, when the target is a Lambda function; undefined otherwise. */
  readonly functionName?: string;
  /** Parsed `Input` (JSON) or the raw string. */
  readonly input?: unknown;
  /** False when `State` is `DISABLED`. */
  readonly enabled: boolean;
}

export interface StackModel {
  readonly name: string;
  readonly templateFile: string;
  readonly region: string;
  readonly resources: Record<string, { Type: string; Properties?: any; Metadata?: any }>;
}

/** Everything the emulator read from a cloud assembly, in assembly order, limited to the stacks asked for. */
export interface AssemblyModel {
  /** Absolute path of the cloud assembly directory (`cdk.out`). */
  readonly dir: string;
  /** The stacks read (nested stacks included), with their templates' resources. */
  readonly stacks: StackModel[];
  /** Kafka topics: declared ones, then those the mappings imply (their topics and dead-letter topics). */
  readonly topics: TopicModel[];
  /** DynamoDB tables. */
  readonly tables: TableModel[];
  /** Node.js functions whose code the assembly holds. */
  readonly functions: FunctionModel[];
  /** Kafka event source mappings whose function is among `functions`. */
  readonly mappings: MappingModel[];
  /** HTTP API routes with a Lambda integration. */
  readonly routes: RouteModel[];
  /** EventBridge Scheduler schedules. */
  readonly schedules: ScheduleModel[];
  /** HTTP APIs (`AWS::ApiGatewayV2::Api`), each served locally on its own port. */
  readonly apis: ApiModel[];
}

/** An HTTP API (`AWS::ApiGatewayV2::Api`). */
export interface ApiModel {
  readonly logicalId: string;
  readonly stack: string;
  /** `<stack>/<logical id>`: logical ids are unique only within a stack. */
  readonly key: string;
  readonly name: string;
}

/** The key of an HTTP API: stacks of one app often share logical ids (`new HttpApi(this, 'Api')`). */
export function apiKey(stack: string, logicalId: string): string {
  return `${stack}/${logicalId}`;
}

/** Values of the local services that references resolve to. */
export interface LocalEndpoints {
  readonly kafkaBrokers: string;
  /**
   * The broker's SASL_SSL listener (MSK IAM tokens, Kafka ACLs per function): functions whose
   * template authenticates with IAM get it. @default none: every function gets `kafkaBrokers`, unauthenticated
   */
  readonly kafkaIamBrokers?: string;
  readonly dynamodbEndpoint: string;
  readonly region?: string;
  /**
   * Local base URL of each HTTP API by `<stack>/<logical id>`, for `ApiEndpoint` attributes. A bare
   * logical id applies to the API of that id in any stack without a stack-qualified entry.
   */
  readonly apiUrls?: Record<string, string>;
  /** Base URL of the SQS stand-in: queue URLs resolve under it. */
  readonly sqsUrl?: string;
}

export const LOCAL_ACCOUNT = '000000000000';
