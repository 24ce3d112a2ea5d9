import { LOCAL_ACCOUNT } from '../emulator/model';

/**
 * What an AWS JSON-protocol request asks IAM for: the actions and resource ARNs it needs, read from
 * its `X-Amz-Target` and body. Pure: the front (aws-front.ts) decides each with the RoleAuthorizer.
 */

/** The services the front stands before. */
export type FrontService = 'dynamodb' | 'secretsmanager' | 'sqs';

/** One authorization a request needs. */
export interface ServiceCall {
  /** IAM action, e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** Resource ARN the policies are evaluated on. */
  readonly resource: string;
  /** How AWS's denial message names the resource (Secrets Manager repeats the `SecretId` as given). @default resource */
  readonly named?: string;
}

/** A request the front cannot map to IAM actions: forwarded unevaluated, with the reason logged once. */
export interface UnmappedCall {
  readonly unmapped: string;
}

/** Where the secret ARN of a `SecretId` given by name comes from (the Secrets Manager stand-in's list). */
export type SecretArnOf = (secretId: string, region: string) => string;

/** The calls a request needs, or why it is not evaluated. `operation` is the target's suffix (`PutItem`). */
export function serviceCalls(service: FrontService, operation: string, body: any, region: string, secretArnOf: SecretArnOf): ServiceCall[] | UnmappedCall {
  switch (service) {
    case 'dynamodb': return dynamodbCalls(operation, body ?? {}, region);
    case 'secretsmanager': return secretsManagerCalls(operation, body ?? {}, region, secretArnOf);
    case 'sqs': return sqsCalls(operation, body ?? {}, region);
  }
}

/** `X-Amz-Target` prefix of each service's JSON protocol (as the SDK sends it). */
export const TARGET_PREFIX: Readonly<Record<FrontService, string>> = {
  dynamodb: 'DynamoDB_20120810.',
  secretsmanager: 'secretsmanager.',
  sqs: 'AmazonSQS.',
};

/** Transaction item kind → the action IAM checks for it. */
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/** DynamoDB operations with no table: authorized on `*`. */
const DYNAMODB_ACCOUNT_OPERATIONS = new Set(['ListTables', 'DescribeLimits', 'DescribeEndpoints', 'ListBackups', 'ListGlobalTables', 'ListExports', 'ListImports']);

/**
 * Transactions are authorized per item as the underlying PutItem/UpdateItem/DeleteItem/GetItem or
 * ConditionCheckItem on its table; batches as BatchWriteItem/BatchGetItem on every table named;
 * Query and Scan of an index on the index ARN.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
function dynamodbCalls(operation: string, body: any, region: string): ServiceCall[] | UnmappedCall {
  const table = (nameOrArn: string) => (String(nameOrArn).startsWith('arn:') ? String(nameOrArn) : `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT}:table/${nameOrArn}`);
  switch (operation) {
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return (body.TransactItems ?? []).flatMap((item: Record<string, any>) => Object.entries(item ?? {})
        .filter(([kind]) => kind in TRANSACT_ACTIONS)
        .map(([kind, spec]) => ({ action: TRANSACT_ACTIONS[kind], resource: table(spec?.TableName) })));
    case 'BatchWriteItem':
    case 'BatchGetItem':
      return Object.keys(body.RequestItems ?? {}).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      return { unmapped: `dynamodb ${operation} (PartiQL: its actions depend on the statement)` };
  }
  if (DYNAMODB_ACCOUNT_OPERATIONS.has(operation)) return [{ action: `dynamodb:${operation}`, resource: '*' }];
  if (typeof body.TableName !== 'string') return { unmapped: `dynamodb ${operation} without a TableName` };
  const arn = table(body.TableName);
  return [{ action: `dynamodb:${operation}`, resource: typeof body.IndexName === 'string' ? `${arn}/index/${body.IndexName}` : arn }];
}

/**
 * The secret's ARN, whether `SecretId` is its ARN or its name; the denial names it as given.
 * @see https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
 */
function secretsManagerCalls(operation: string, body: any, region: string, secretArnOf: SecretArnOf): ServiceCall[] | UnmappedCall {
  if (typeof body.SecretId !== 'string') return operation === 'ListSecrets' ? [{ action: 'secretsmanager:ListSecrets', resource: '*' }] : { unmapped: `secretsmanager ${operation} without a SecretId` };
  const resource = body.SecretId.startsWith('arn:') ? body.SecretId : secretArnOf(body.SecretId, region);
  return [{ action: `secretsmanager:${operation}`, resource, named: body.SecretId }];
}

/** Batch operations SQS authorizes as their single-message action. @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html */
const SQS_BATCH_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** The queue's ARN from its URL (`…/<account>/<name>`). */
function sqsCalls(operation: string, body: any, region: string): ServiceCall[] | UnmappedCall {
  if (typeof body.QueueUrl !== 'string') return operation === 'ListQueues' ? [{ action: 'sqs:ListQueues', resource: '*' }] : { unmapped: `sqs ${operation} without a QueueUrl` };
  const [account, name] = body.QueueUrl.split('/').filter(Boolean).slice(-2);
  return [{ action: `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`, resource: `arn:aws:sqs:${region}:${account ?? LOCAL_ACCOUNT}:${name}` }];
}

/** The access key id and region of a SigV4 `Authorization` header; undefined for an unsigned request. */
export function signerOf(authorization: string | undefined): { accessKeyId: string; region: string } | undefined {
  const m = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(authorization ?? '');
  return m ? { accessKeyId: m[1], region: m[2] } : undefined;
}
