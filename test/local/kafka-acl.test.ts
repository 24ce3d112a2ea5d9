import { ANY_NAME_PROBE, deriveKafkaAcls, type IsAllowed, type KafkaAcl } from '../../lib/local/kafka-acl/derive';
import { functionEnvironment } from '../../lib/local/emulator/environment';
import { mayAllow } from '../../lib/local/kafka-acl/action-filter';
import { KAFKA_CLUSTER_ACTIONS, mskDataPlaneArn } from '../../lib/local/kafka-acl/kafka-actions';

const CLUSTER = 'arn:aws:kafka:eu-west-1:000000000000:cluster/Cluster/local';
const topicArn = (name: string) => `arn:aws:kafka:eu-west-1:000000000000:topic/Cluster/local/${name}`;
const groupArn = (name: string) => `arn:aws:kafka:eu-west-1:000000000000:group/Cluster/local/${name}`;
const principal = { functionName: 'fn', principal: 'User:ASIAFN', clusterArns: [CLUSTER] };
const scope = { topics: ['orders', 'payments'], groups: ['orders-group'] };

/** A fake evaluator: exactly the listed (action, resource) pairs are allowed; `*` at the end of a resource matches any rest. */
function allowing(grants: ReadonlyArray<readonly [string, string]>): IsAllowed {
  return async (_fn, action, resource) => grants.some(([a, r]) => a === action && (r.endsWith('*') ? resource.startsWith(r.slice(0, -1)) : r === resource));
}

const acl = (resourceType: KafkaAcl['resourceType'], resourceName: string, operation: KafkaAcl['operation'], permission: KafkaAcl['permission'] = 'ALLOW'): KafkaAcl =>
  ({ principal: 'User:ASIAFN', resourceType, resourceName, operation, permission });

describe('Kafka ACLs derived from a role', () => {
  test('GIVEN the library\'s produce grant on one topic THEN the principal may describe and write that topic and write idempotently, nothing else', async () => {
    const [derived] = await deriveKafkaAcls([principal], scope, allowing([
      ['kafka-cluster:Connect', CLUSTER],
      ['kafka-cluster:WriteDataIdempotently', CLUSTER],
      ['kafka-cluster:DescribeTopic', topicArn('orders')],
      ['kafka-cluster:WriteData', topicArn('orders')],
    ]));
    expect(derived.acls).toEqual([
      acl('CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE'),
      acl('TOPIC', 'orders', 'DESCRIBE'),
      acl('TOPIC', 'orders', 'WRITE'),
    ]);
    expect(derived.connectDenied).toEqual([]);
  });

  test('GIVEN the library\'s consume grant THEN AlterGroup is READ on the group, ReadData READ on the topic, as AWS\'s table maps them', async () => {
    const [derived] = await deriveKafkaAcls([principal], scope, allowing([
      ['kafka-cluster:Connect', CLUSTER],
      ['kafka-cluster:DescribeClusterDynamicConfiguration', CLUSTER],
      ['kafka-cluster:DescribeGroup', groupArn('orders-group')],
      ['kafka-cluster:AlterGroup', groupArn('orders-group')],
      ['kafka-cluster:DescribeTopic', topicArn('orders')],
      ['kafka-cluster:ReadData', topicArn('orders')],
    ]));
    expect(derived.acls).toEqual([
      acl('CLUSTER', 'kafka-cluster', 'DESCRIBE_CONFIGS'),
      acl('GROUP', 'orders-group', 'DESCRIBE'),
      acl('GROUP', 'orders-group', 'READ'),
      acl('TOPIC', 'orders', 'DESCRIBE'),
      acl('TOPIC', 'orders', 'READ'),
    ]);
  });

  test('GIVEN a grant on every topic of the cluster with a Deny on one THEN ALLOW on * and DENY on that one', async () => {
    const grants = allowing([['kafka-cluster:Connect', CLUSTER], ['kafka-cluster:WriteData', topicArn('*')]]);
    const denyPayments: IsAllowed = async (fn, action, resource) => resource !== topicArn('payments') && grants(fn, action, resource);
    const [derived] = await deriveKafkaAcls([principal], scope, denyPayments);
    expect(derived.acls).toEqual([acl('TOPIC', '*', 'WRITE'), acl('TOPIC', 'payments', 'WRITE', 'DENY')]);
  });

  test('GIVEN a prefix grant THEN the named topics it matches are allowed, not *', async () => {
    const [derived] = await deriveKafkaAcls([principal], scope, allowing([['kafka-cluster:Connect', CLUSTER], ['kafka-cluster:ReadData', topicArn('ord*')]]));
    expect(derived.acls).toEqual([acl('TOPIC', 'orders', 'READ')]);
  });

  test('GIVEN every kafka-cluster action but Connect THEN no ACL at all, and the cluster is reported', async () => {
    const everything: IsAllowed = async (_fn, action) => action !== 'kafka-cluster:Connect';
    const [derived] = await deriveKafkaAcls([principal], scope, everything);
    expect(derived).toEqual({ functionName: 'fn', principal: 'User:ASIAFN', acls: [], connectDenied: [CLUSTER] });
  });

  test('the wildcard is asked for with a name no resource has, never with * itself', async () => {
    const asked: string[] = [];
    await deriveKafkaAcls([principal], scope, async (_fn, _action, resource) => { asked.push(resource); return true; });
    expect(asked).toContain(topicArn(ANY_NAME_PROBE));
    expect(asked.some((r) => r.endsWith('/*'))).toBe(false);
  });

  test('every action of AWS\'s table has one Kafka operation, and the data-plane ARNs follow the cluster ARN', () => {
    expect(KAFKA_CLUSTER_ACTIONS.map((a) => a.action)).toHaveLength(new Set(KAFKA_CLUSTER_ACTIONS.map((a) => a.action)).size);
    expect(mskDataPlaneArn(CLUSTER, 'transactional-id', 'tx')).toBe('arn:aws:kafka:eu-west-1:000000000000:transactional-id/Cluster/local/tx');
    expect(() => mskDataPlaneArn('arn:aws:kafka:eu-west-1:0:topic/a/b/c', 'topic', 'x')).toThrow(/is not an MSK cluster ARN/);
  });
});

describe('the environment of a function authenticating to Kafka with IAM', () => {
  const inputs = { functionName: 'fn', region: 'eu-west-1', runtime: 'nodejs22.x', memorySize: 256, handler: 'index.handler', codeDir: '/code', kafkaBrokers: '127.0.0.1:9092', dynamodbEndpoint: 'http://127.0.0.1:8000' };
  const template = { KAFKA_CLUSTER_ARN: CLUSTER, KAFKA_BOOTSTRAP_SERVERS: 'b-1.example:9098', KAFKA_AUTH: 'iam' };

  test('GIVEN the broker\'s IAM listener WHEN the environment is built THEN the function keeps KAFKA_AUTH=iam and gets that listener', () => {
    expect(functionEnvironment(template, { ...inputs, kafkaIamBrokers: '127.0.0.1:9098' })).toMatchObject({ KAFKA_AUTH: 'iam', KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9098' });
  });

  test('GIVEN no IAM listener WHEN the environment is built THEN it gets the plaintext listener without authentication, as before', () => {
    expect(functionEnvironment(template, inputs)).toMatchObject({ KAFKA_AUTH: 'none', KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092' });
  });

  test('GIVEN the IAM listener WHEN a function of SCRAM brokers is built THEN it still gets the plaintext listener', () => {
    expect(functionEnvironment({ ...template, KAFKA_AUTH: 'scram-sha-512' }, { ...inputs, kafkaIamBrokers: '127.0.0.1:9098' })).toMatchObject({ KAFKA_AUTH: 'none', KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092' });
  });
});

describe('which kafka-cluster actions a role can allow at all', () => {
  const role = (statements: unknown[]) => ({ functionName: 'fn', roleName: 'r', policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: statements } as never }] });

  test('GIVEN Allow statements naming actions, with wildcards, THEN only those may allow; Deny statements never do', () => {
    const r = role([
      { Effect: 'Allow', Action: ['kafka-cluster:Connect', 'kafka-cluster:*Topic'], Resource: '*' },
      { Effect: 'Deny', Action: 'kafka-cluster:ReadData', Resource: '*' },
    ]);
    expect(mayAllow(r, 'kafka-cluster:Connect')).toBe(true);
    expect(mayAllow(r, 'KAFKA-CLUSTER:describetopic')).toBe(true);
    expect(mayAllow(r, 'kafka-cluster:ReadData')).toBe(false);
    expect(mayAllow(r, 'kafka-cluster:WriteData')).toBe(false);
  });

  test('GIVEN a NotAction Allow statement THEN any action may be allowed (the evaluator decides)', () => {
    expect(mayAllow(role([{ Effect: 'Allow', NotAction: 'dynamodb:*', Resource: '*' }]), 'kafka-cluster:WriteData')).toBe(true);
  });
});

describe('which resources a role can allow an action on at all', () => {
  const role = { functionName: 'fn', roleName: 'r', policies: [{ name: 'p', document: { Version: '2012-10-17', Statement: [
    { Effect: 'Allow', Action: 'kafka-cluster:WriteData', Resource: [topicArn('orders'), topicArn('pay*')] },
    { Effect: 'Allow', Action: 'kafka-cluster:ReadData', NotResource: topicArn('orders') },
  ] } as never }] };

  test('GIVEN Resource patterns THEN only matching resources may be allowed; NotResource leaves it to the evaluator', () => {
    expect(mayAllow(role, 'kafka-cluster:WriteData', topicArn('orders'))).toBe(true);
    expect(mayAllow(role, 'kafka-cluster:WriteData', topicArn('payments'))).toBe(true);
    expect(mayAllow(role, 'kafka-cluster:WriteData', topicArn('Orders'))).toBe(false);
    expect(mayAllow(role, 'kafka-cluster:WriteData', topicArn('users'))).toBe(false);
    expect(mayAllow(role, 'kafka-cluster:ReadData', topicArn('orders'))).toBe(true);
  });
});
