import { accessDenied, serviceCalls, signerOf } from '../../lib/local/aws-front';

const REGION = 'eu-west-1';
const table = (name: string) => `arn:aws:dynamodb:${REGION}:000000000000:table/${name}`;
const noSecrets = (id: string, region: string) => `arn:aws:secretsmanager:${region}:000000000000:secret:${id}`;

describe('AWS front: what a request asks IAM for', () => {
  test.each([
    ['PutItem by table name', 'PutItem', { TableName: 'orders' }, [{ action: 'dynamodb:PutItem', resource: table('orders') }]],
    ['GetItem by table ARN', 'GetItem', { TableName: table('orders') }, [{ action: 'dynamodb:GetItem', resource: table('orders') }]],
    ['Query of an index', 'Query', { TableName: 'orders', IndexName: 'byDate' }, [{ action: 'dynamodb:Query', resource: `${table('orders')}/index/byDate` }]],
    ['TransactWriteItems: each item as its own action on its table', 'TransactWriteItems',
      { TransactItems: [{ Put: { TableName: 'a' } }, { Update: { TableName: 'b' } }, { Delete: { TableName: 'c' } }, { ConditionCheck: { TableName: 'd' } }] },
      [{ action: 'dynamodb:PutItem', resource: table('a') }, { action: 'dynamodb:UpdateItem', resource: table('b') }, { action: 'dynamodb:DeleteItem', resource: table('c') }, { action: 'dynamodb:ConditionCheckItem', resource: table('d') }]],
    ['TransactGetItems as GetItem', 'TransactGetItems', { TransactItems: [{ Get: { TableName: 'a' } }] }, [{ action: 'dynamodb:GetItem', resource: table('a') }]],
    ['BatchWriteItem on every table', 'BatchWriteItem', { RequestItems: { a: [], b: [] } }, [{ action: 'dynamodb:BatchWriteItem', resource: table('a') }, { action: 'dynamodb:BatchWriteItem', resource: table('b') }]],
    ['ListTables on *', 'ListTables', {}, [{ action: 'dynamodb:ListTables', resource: '*' }]],
  ])('dynamodb %s', (_, operation, body, expected) => {
    expect(serviceCalls('dynamodb', operation, body, REGION, noSecrets)).toEqual(expected);
  });

  test('GIVEN a PartiQL statement THEN it is not mapped (its actions depend on the statement), and says so', () => {
    expect(serviceCalls('dynamodb', 'ExecuteStatement', { Statement: 'SELECT * FROM t' }, REGION, noSecrets)).toEqual({ unmapped: 'dynamodb ExecuteStatement (PartiQL: its actions depend on the statement)' });
  });

  test('GIVEN a SecretId by name THEN the resource is the secret\'s ARN and the denial names it as given', () => {
    expect(serviceCalls('secretsmanager', 'GetSecretValue', { SecretId: 'api-key' }, REGION, (id) => `arn:aws:secretsmanager:${REGION}:000000000000:secret:${id}-AbCdEf`))
      .toEqual([{ action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${REGION}:000000000000:secret:api-key-AbCdEf`, named: 'api-key' }]);
  });

  test('GIVEN an SQS batch send THEN it is authorized as sqs:SendMessage on the queue of its URL', () => {
    expect(serviceCalls('sqs', 'SendMessageBatch', { QueueUrl: 'http://127.0.0.1:4000/000000000000/jobs' }, REGION, noSecrets))
      .toEqual([{ action: 'sqs:SendMessage', resource: `arn:aws:sqs:${REGION}:000000000000:jobs` }]);
  });

  test('GIVEN a SigV4 Authorization header THEN the access key id and region are read from its credential scope; an unsigned request has none', () => {
    expect(signerOf('AWS4-HMAC-SHA256 Credential=ASIA0123456789ABCDEF/20261130/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=ab'))
      .toEqual({ accessKeyId: 'ASIA0123456789ABCDEF', region: 'eu-west-1' });
    expect(signerOf(undefined)).toBeUndefined();
  });

  test.each([
    ['dynamodb', 400, { 'content-type': 'application/x-amz-json-1.0' }, 'com.amazon.coral.service#AccessDeniedException'],
    ['secretsmanager', 400, { 'content-type': 'application/x-amz-json-1.1' }, 'AccessDeniedException'],
    ['sqs', 403, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AccessDenied;Sender' }, 'com.amazon.coral.service#AccessDeniedException'],
  ] as const)('%s denial: HTTP %i, its headers and __type', (service, status, headers, type) => {
    expect(accessDenied(service, 'm')).toEqual({ status, headers, body: JSON.stringify({ __type: type, Message: 'm' }) });
  });
});
