import { createHash } from 'crypto';
import { LOCAL_SECRET_ACCESS_KEY } from '../services/kafka-iam-listener';
import { KafkaEnv } from '../../../lambdas/runtime/kafka-env';

/**
 * A function's environment in local mode: exactly the variables its template gives it, references
 * resolved, plus the few that local mode must add or replace, all listed here (and in
 * docs/emulator.md, "The function environment"). Nothing else is added, replaced or removed: a
 * variable the template lacks is missing locally as on AWS.
 */

/** Why local mode sets a variable a template does not hold (or holds with a cloud value). */
export type LocalVariableReason = 'credentials' | 'region' | 'endpoint' | 'kafka' | 'lambda-runtime';

/**
 * Every variable local mode adds or replaces, with its reason. `lambda-runtime` ones are the
 * reserved variables Lambda itself sets in every execution environment.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export const LOCAL_VARIABLES: Readonly<Record<string, LocalVariableReason>> = {
  AWS_ACCESS_KEY_ID: 'credentials',
  AWS_SECRET_ACCESS_KEY: 'credentials',
  AWS_REGION: 'region',
  AWS_DEFAULT_REGION: 'region',
  AWS_ENDPOINT_URL_DYNAMODB: 'endpoint',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: 'endpoint',
  AWS_ENDPOINT_URL_SQS: 'endpoint',
  AWS_ENDPOINT_URL_KAFKA: 'endpoint',
  [KafkaEnv.KAFKA_BOOTSTRAP_SERVERS]: 'kafka',
  [KafkaEnv.KAFKA_AUTH]: 'kafka',
  AWS_LAMBDA_FUNCTION_NAME: 'lambda-runtime',
  AWS_LAMBDA_FUNCTION_VERSION: 'lambda-runtime',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'lambda-runtime',
  AWS_LAMBDA_LOG_GROUP_NAME: 'lambda-runtime',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'lambda-runtime',
  AWS_EXECUTION_ENV: 'lambda-runtime',
  LAMBDA_TASK_ROOT: 'lambda-runtime',
  _HANDLER: 'lambda-runtime',
  TZ: 'lambda-runtime',
};

/** A loopback port nothing listens on (the discard port): connections are refused at once. */
export const UNREACHABLE_ENDPOINT = 'http://127.0.0.1:9';

/** What local mode knows of a function and of the local services when it builds the environment. */
export interface LocalEnvironmentInputs {
  /** The function's physical name. */
  readonly functionName: string;
  readonly region: string;
  /** The template's `Runtime`, e.g. `nodejs22.x`. */
  readonly runtime: string;
  readonly memorySize: number;
  readonly handler: string;
  /** Where the function's bundled code is (Lambda's `/var/task`). */
  readonly codeDir: string;
  /** Local broker address (`host:port[,host:port]`), the all-access plaintext listener. */
  readonly kafkaBrokers: string;
  /**
   * The local broker's SASL_SSL listener taking MSK IAM tokens, where Kafka ACLs derived from each
   * function's role apply. @default none: IAM functions get `kafkaBrokers` and `KAFKA_AUTH=none`
   */
  readonly kafkaIamBrokers?: string;
  /** Endpoint of DynamoDB (DynamoDB Local, or the AWS front before it). */
  readonly dynamodbEndpoint: string;
  /** Endpoint of the Secrets Manager stand-in, once it runs. @default none: the SDK's default endpoint */
  readonly secretsManagerEndpoint?: string;
  /** Endpoint of the SQS stand-in, once it runs. @default none: the SDK's default endpoint */
  readonly sqsEndpoint?: string;
}

/**
 * The environment a function runs with locally: `template` (its resolved `Environment.Variables`)
 * with only the variables of {@link LOCAL_VARIABLES} added or replaced.
 *
 * Kafka: a template's broker string (a deploy-time lookup, or self-managed brokers) becomes the
 * local broker. A function authenticating with IAM (`KAFKA_AUTH=iam`) keeps it and gets the
 * broker's SASL_SSL listener, where it is its own principal and its role's `kafka-cluster:*`
 * grants apply as Kafka ACLs (when `kafkaIamBrokers` is given); any other gets the plaintext
 * listener and `KAFKA_AUTH=none`. A function given only `KAFKA_CLUSTER_ARN` would ask the MSK API
 * for brokers, which locally refuses connections as it is unreachable from a VPC without an MSK
 * endpoint on AWS. A function given neither gets no Kafka variable at all.
 */
export function functionEnvironment(template: Readonly<Record<string, string>>, inputs: LocalEnvironmentInputs): Record<string, string> {
  const environment: Record<string, string> = { ...template };
  const kafka: Record<string, string> = {};
  if (template[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS] !== undefined && template[KafkaEnv.KAFKA_AUTH] === 'iam' && inputs.kafkaIamBrokers) {
    kafka[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS] = inputs.kafkaIamBrokers;
  } else if (template[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS] !== undefined) {
    kafka[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS] = inputs.kafkaBrokers;
    kafka[KafkaEnv.KAFKA_AUTH] = 'none';
  } else if (template[KafkaEnv.KAFKA_CLUSTER_ARN] !== undefined) {
    kafka.AWS_ENDPOINT_URL_KAFKA = UNREACHABLE_ENDPOINT;
    // The local listener is plaintext: discovery fails first, as it would on AWS.
    if (template[KafkaEnv.KAFKA_AUTH] !== undefined) kafka[KafkaEnv.KAFKA_AUTH] = 'none';
  } else if (template[KafkaEnv.KAFKA_AUTH] !== undefined) {
    kafka[KafkaEnv.KAFKA_AUTH] = 'none';
  }
  const local: Record<string, string | undefined> = {
    ...kafka,
    AWS_ACCESS_KEY_ID: accessKeyIdOf(inputs.functionName),
    AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY,
    AWS_REGION: inputs.region,
    AWS_DEFAULT_REGION: inputs.region,
    AWS_ENDPOINT_URL_DYNAMODB: inputs.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: inputs.secretsManagerEndpoint,
    AWS_ENDPOINT_URL_SQS: inputs.sqsEndpoint,
    AWS_LAMBDA_FUNCTION_NAME: inputs.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(inputs.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${inputs.functionName}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${inputs.runtime}`,
    LAMBDA_TASK_ROOT: inputs.codeDir,
    _HANDLER: inputs.handler,
    TZ: 'UTC',
  };
  for (const [name, value] of Object.entries(local)) {
    if (value === undefined) continue;
    if (!(name in LOCAL_VARIABLES)) throw new Error(`functionEnvironment: ${name} is not a documented local variable (LOCAL_VARIABLES)`);
    environment[name] = value;
  }
  return environment;
}

/** The secret key every function signs with: the front identifies a function by its key id alone. */
export { LOCAL_SECRET_ACCESS_KEY };

/**
 * Credentials of the local tools that are no function (scenario drivers, the console): a key id
 * no function has, so the IAM front forwards their calls unevaluated, as from outside the assembly.
 * A tool that signed with a function's key would be held to that function's role.
 */
export const LOCAL_TOOL_CREDENTIALS = { accessKeyId: 'LOCALTOOL', secretAccessKey: LOCAL_SECRET_ACCESS_KEY } as const;

/** Prefix of the local access key ids (Lambda's temporary credentials start with `ASIA`). */
const ACCESS_KEY_PREFIX = 'ASIA';
/** Length of an AWS access key id. */
const ACCESS_KEY_LENGTH = 20;

/**
 * The access key id a function signs its AWS calls with: distinct per function and stable across
 * runs, shaped like a real one (20 upper-case alphanumerics), so that a local front can tell which
 * function (and so which role) made a call.
 */
export function accessKeyIdOf(functionName: string): string {
  const digest = createHash('sha256').update(functionName).digest('hex').toUpperCase();
  return (ACCESS_KEY_PREFIX + digest).slice(0, ACCESS_KEY_LENGTH);
}

/** Sets one of {@link LOCAL_VARIABLES} in `environment` (an endpoint known only once its stand-in runs). */
export function setLocalVariable(environment: Record<string, string>, name: keyof typeof LOCAL_VARIABLES, value: string): void {
  if (!(name in LOCAL_VARIABLES)) throw new Error(`setLocalVariable: ${String(name)} is not a documented local variable (LOCAL_VARIABLES)`);
  environment[name] = value;
}
