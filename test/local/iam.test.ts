import { assemblyResolver, RawStack } from '../../lib/local/emulator/assembly';
import { Resolver, ResolverStack } from '../../lib/local/emulator/resolve';
import { RoleAuthorizer, UnknownAwsManagedPolicyError } from '../../lib/local/iam';

/** One stack of hand-written resources, resolved as the emulator resolves them. */
function authorizerOf(resources: Record<string, unknown>, more: ResolverStack[] = []): RoleAuthorizer {
  const stack: ResolverStack = { name: 'S', region: 'eu-west-1', template: { Resources: resources } };
  const stacks = [stack, ...more];
  return RoleAuthorizer.fromStacks(stacks, new Resolver(stacks, { kafkaBrokers: 'localhost:9092', dynamodbEndpoint: 'http://127.0.0.1:8000' }));
}

const ROLE = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };
const FN = { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'fn', Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } };
const TABLE = { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'orders' } };
const ORDERS = 'arn:aws:dynamodb:eu-west-1:000000000000:table/orders';
const statement = (Effect: string, Action: unknown, Resource: unknown, Condition?: unknown) => ({ Effect, Action, Resource, ...(Condition ? { Condition } : {}) });
const policy = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const attached = (...Statement: unknown[]) => ({ Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: policy(...Statement) } });
const denied = (action: string, resource: string) => ({
  allowed: false,
  explicit: false,
  principal: 'arn:aws:sts::000000000000:assumed-role/S-Role/fn',
  message: `User: arn:aws:sts::000000000000:assumed-role/S-Role/fn is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
});

describe('RoleAuthorizer', () => {
  test('GIVEN an AWS::IAM::Policy on the role with the table\'s Fn::GetAtt Arn WHEN the function puts or deletes THEN PutItem is allowed and DeleteItem denied as AWS words it', async () => {
    // GIVEN
    const authorizer = authorizerOf({ Role: ROLE, Fn: FN, Table: TABLE, Policy: attached(statement('Allow', 'dynamodb:PutItem', { 'Fn::GetAtt': ['Table', 'Arn'] })) });
    // WHEN / THEN
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS })).toEqual({ allowed: true });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:DeleteItem', resource: ORDERS })).toEqual(denied('dynamodb:DeleteItem', ORDERS));
  });

  test('GIVEN an inline policy whose resource is an Fn::Join of partition, region and account WHEN the function queries an index THEN the table/* wildcard covers the index', async () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':table/orders*']] };
    const role = { ...ROLE, Properties: { ...ROLE.Properties, Policies: [{ PolicyName: 'inline', PolicyDocument: policy(statement('Allow', 'dynamodb:Query', arn)) }] } };
    const authorizer = authorizerOf({ Role: role, Fn: FN });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:Query', resource: `${ORDERS}/index/byDate` })).toEqual({ allowed: true });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:Query', resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders' }))
      .toEqual(denied('dynamodb:Query', 'arn:aws:dynamodb:us-east-1:000000000000:table/orders'));
  });

  test('GIVEN a customer-managed policy of the assembly referenced by ManagedPolicyArns (Ref) and another attaching itself through Roles THEN both grant', async () => {
    const managed = (action: string) => ({ Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: policy(statement('Allow', action, { 'Fn::Sub': 'arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders' })) } });
    const role = { ...ROLE, Properties: { ...ROLE.Properties, ManagedPolicyArns: [{ Ref: 'ByArn' }] } };
    const authorizer = authorizerOf({
      Role: role, Fn: FN, ByArn: managed('dynamodb:GetItem'),
      ByRoles: { ...managed('dynamodb:PutItem'), Properties: { ...managed('dynamodb:PutItem').Properties, Roles: [{ Ref: 'Role' }] } },
    });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:GetItem', resource: ORDERS })).toEqual({ allowed: true });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS })).toEqual({ allowed: true });
    expect((await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:Scan', resource: ORDERS })).allowed).toBe(false);
  });

  test('GIVEN the AWS-managed AWSLambdaBasicExecutionRole attached by an Fn::Join ARN THEN logs:PutLogEvents is allowed and DynamoDB is not', async () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] };
    const authorizer = authorizerOf({ Role: { ...ROLE, Properties: { ...ROLE.Properties, ManagedPolicyArns: [arn] } }, Fn: FN });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'logs:PutLogEvents', resource: 'arn:aws:logs:eu-west-1:000000000000:log-group:/aws/lambda/fn:log-stream:x' })).toEqual({ allowed: true });
    expect((await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS })).allowed).toBe(false);
  });

  test('GIVEN an AWS-managed policy local mode has no document for THEN reading the roles fails naming the policy and the role', () => {
    const role = { ...ROLE, Properties: { ...ROLE.Properties, ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess'] } };
    expect(() => authorizerOf({ Role: role, Fn: FN })).toThrow(UnknownAwsManagedPolicyError);
    expect(() => authorizerOf({ Role: role, Fn: FN })).toThrow(/^Role S-Role attaches the AWS-managed policy arn:aws:iam::aws:policy\/AmazonDynamoDBFullAccess, which local mode does not know/);
  });

  test('GIVEN an Allow on dynamodb:* and a Deny on DeleteItem WHEN the function deletes THEN the Deny wins, worded as an explicit deny', async () => {
    const authorizer = authorizerOf({ Role: ROLE, Fn: FN, Policy: attached(statement('Allow', 'dynamodb:*', '*'), statement('Deny', 'dynamodb:DeleteItem', ORDERS)) });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS })).toEqual({ allowed: true });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:DeleteItem', resource: ORDERS })).toEqual({
      allowed: false,
      explicit: true,
      principal: 'arn:aws:sts::000000000000:assumed-role/S-Role/fn',
      message: `User: arn:aws:sts::000000000000:assumed-role/S-Role/fn is not authorized to perform: dynamodb:DeleteItem on resource: ${ORDERS} with an explicit deny in an identity-based policy`,
    });
  });

  test('GIVEN an Allow conditioned on dynamodb:LeadingKeys THEN the call is allowed only with a matching context key (absent keys do not match)', async () => {
    const authorizer = authorizerOf({ Role: ROLE, Fn: FN, Policy: attached(statement('Allow', 'dynamodb:GetItem', ORDERS, { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['tenant-1'] }, Null: { 'dynamodb:LeadingKeys': 'false' } })) });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:GetItem', resource: ORDERS, context: { 'dynamodb:LeadingKeys': ['tenant-1'] } })).toEqual({ allowed: true });
    expect((await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:GetItem', resource: ORDERS, context: { 'dynamodb:LeadingKeys': ['tenant-2'] } })).allowed).toBe(false);
    expect((await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:GetItem', resource: ORDERS })).allowed).toBe(false);
  });

  test('GIVEN a role granting kafka-cluster:WriteData on one topic THEN the Kafka-ACL caller gets the decision per topic ARN', async () => {
    const topic = (name: string) => `arn:aws:kafka:eu-west-1:000000000000:topic/c/local/${name}`;
    const authorizer = authorizerOf({ Role: ROLE, Fn: FN, Policy: attached(statement('Allow', ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], topic('jobs'))) });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'kafka-cluster:WriteData', resource: topic('jobs') })).toEqual({ allowed: true });
    expect(await authorizer.authorize({ functionName: 'fn', action: 'kafka-cluster:WriteData', resource: topic('other') })).toEqual(denied('kafka-cluster:WriteData', topic('other')));
  });

  test('GIVEN the same call twice THEN the decision is computed once (cached per function, action and resource)', () => {
    const authorizer = authorizerOf({ Role: ROLE, Fn: FN, Policy: attached(statement('Allow', 'dynamodb:PutItem', ORDERS)) });
    const request = { functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS };
    expect(authorizer.authorize(request)).toBe(authorizer.authorize({ ...request }));
    expect(authorizer.authorize(request)).not.toBe(authorizer.authorize({ ...request, resource: `${ORDERS}-2` }));
  });

  test('GIVEN a function whose Role is an imported ARN THEN it is listed as external, and asking for it names the role', () => {
    const authorizer = authorizerOf({ Fn: { ...FN, Properties: { ...FN.Properties, Role: 'arn:aws:iam::123456789012:role/elsewhere' } } });
    expect(authorizer.governs('fn')).toBe(false);
    expect([...authorizer.assembly.external]).toEqual([['fn', 'arn:aws:iam::123456789012:role/elsewhere']]);
    expect(() => authorizer.principalOf('fn')).toThrow('RoleAuthorizer: function fn runs as arn:aws:iam::123456789012:role/elsewhere, a role the assembly does not define: its policies are unknown');
  });

  test('GIVEN a role in another stack, referenced by Fn::ImportValue THEN its policies apply', async () => {
    const other: ResolverStack = {
      name: 'Roles',
      region: 'eu-west-1',
      template: {
        Resources: { Role: { ...ROLE, Properties: { ...ROLE.Properties, RoleName: 'shared', Policies: [{ PolicyName: 'i', PolicyDocument: policy(statement('Allow', 'dynamodb:PutItem', ORDERS)) }] } } },
        Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] }, Export: { Name: 'role-arn' } } },
      },
    };
    const authorizer = authorizerOf({ Fn: { ...FN, Properties: { ...FN.Properties, Role: { 'Fn::ImportValue': 'role-arn' } } } }, [other]);
    expect(authorizer.principalOf('fn')).toBe('arn:aws:sts::000000000000:assumed-role/shared/fn');
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS })).toEqual({ allowed: true });
  });

  test('GIVEN a role in a nested stack whose policy names a table its parent passes as a parameter THEN the parameter resolves as the emulator resolves it', async () => {
    const raw = (name: string, template: unknown, parent?: RawStack['parent']): RawStack => ({ name, displayName: name, templateFile: '', region: 'eu-west-1', template, paths: new Map(), parent });
    const parent = raw('P', { Resources: { Table: TABLE, Child: { Type: 'AWS::CloudFormation::Stack', Properties: {} } } });
    const child = raw('P-Child', {
      Parameters: { TableArn: { Type: 'String' } },
      Resources: { Role: ROLE, Fn: FN, Policy: attached(statement('Allow', 'dynamodb:PutItem', { Ref: 'TableArn' })) },
    }, { stack: parent, parameters: { TableArn: { 'Fn::GetAtt': ['Table', 'Arn'] } } });
    const stacks = [parent, child];
    const authorizer = RoleAuthorizer.fromStacks(stacks, assemblyResolver(stacks, { kafkaBrokers: '', dynamodbEndpoint: '' }));
    expect(await authorizer.authorize({ functionName: 'fn', action: 'dynamodb:PutItem', resource: ORDERS })).toEqual({ allowed: true });
  });
});
