/**
 * The graph the emulator runs, read from a synthesized cloud assembly. Every field comes from a
 * template property; nothing here is declared by hand.
 */

/** A Kafka topic declared by `AWS::MSK::Topic` or `Custom::KafkaTopic`, or implied by a mapping. */
export interface TopicModel {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Record<string, string>;
  /** Logical id of the declaring resource; undefined when implied (mapping topic, dead-letter topic). */
  readonly logicalId?: string;
  readonly stack?: string;
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface TableModel {
  readonly name: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly keySchema: KeyElement[];
  readonly attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  readonly globalSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: unknown }[];
  readonly localSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: unknown }[];
  readonly ttlAttribute?: string;
  readonly streamViewType?: string;
}

export interface FunctionModel {
  /** Local function name: `FunctionName` if set, else `<stack>-<logicalId>`. */
  readonly name: string;
  readonly logicalId: string;
  readonly stack: string;
  /** Construct path of the function's resource (`aws:cdk:path`, else the assembly's `aws:cdk:logicalId` metadata), when known. */
  readonly path?: string;
  readonly arn: string;
  /** Absolute directory holding the bundled code (`cdk.out/asset.<hash>`). */
  readonly codeDir: string;
  /** `Handler` as in the template, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  /** Seconds (template `Timeout`, default 3 as on AWS). */
  readonly timeout: number;
  readonly memorySize: number;
  /** Environment with template references resolved and local variables added. */
  readonly environment: Record<string, string>;
}

export interface MappingModel {
  readonly logicalId: string;
  readonly stack: string;
  readonly functionName: string;
  readonly topics: string[];
  /** `aws:kafka` for MSK, `SelfManagedKafka` for self-managed bootstrap servers. */
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka';
  readonly eventSourceArn?: string;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  readonly startingPositionTimestamp?: number;
  readonly batchSize: number;
  /** Seconds; AWS's default for Kafka is 0.5. */
  readonly batchingWindow: number;
  readonly filters: unknown[];
  readonly consumerGroupId: string;
  /** `kafka://<topic>` or an SQS queue ARN, resolved. */
  readonly onFailure?: { kind: 'kafka'; topic: string } | { kind: 'sqs'; queue: string; arn: string } | { kind: 'other'; arn: string };
  readonly reportBatchItemFailures: boolean;
  /** -1 = infinite (as on AWS). */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  /** -1 = infinite. */
  readonly maximumRecordAgeInSeconds: number;
  readonly provisionedPollers?: { minimum?: number; maximum?: number };
  readonly enabled: boolean;
}

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
  readonly functionName: string;
  readonly payloadFormatVersion: string;
}

export interface ScheduleModel {
  readonly name: string;
  readonly logicalId: string;
  readonly stack: string;
  readonly expression?: string;
  readonly timezone?: string;
  readonly functionName?: string;
  /** Parsed `Input` (JSON) or the raw string. */
  readonly input?: unknown;
  readonly enabled: boolean;
}

export interface StackModel {
  readonly name: string;
  readonly templateFile: string;
  readonly region: string;
  readonly resources: Record<string, { Type: string; Properties?: any; Metadata?: any }>;
}

export interface AssemblyModel {
  readonly dir: string;
  readonly stacks: StackModel[];
  readonly topics: TopicModel[];
  readonly tables: TableModel[];
  readonly functions: FunctionModel[];
  readonly mappings: MappingModel[];
  readonly routes: RouteModel[];
  readonly schedules: ScheduleModel[];
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
