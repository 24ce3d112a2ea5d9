import { buildKafkaEvent } from '../../lib/local/emulator/event';
import { NO_VALUE, Resolver } from '../../lib/local/emulator/resolve';

const template = {
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'joins' } },
    Unnamed: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'task1' } },
    Cluster: { Type: 'AWS::MSK::Cluster', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
  },
  Outputs: { T: { Value: { Ref: 'Table' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-table' } } } },
};
const stack = { name: 'S', region: 'eu-west-1', template };
const other = { name: 'O', region: 'eu-west-1', template: { Resources: {} } };
const resolver = new Resolver([stack, other], { kafkaBrokers: '127.0.0.1:9092', dynamodbEndpoint: 'http://127.0.0.1:8000' });
const r = (v: unknown) => resolver.resolve(stack, v);

describe('intrinsic resolver', () => {
  test.each([
    ['Ref of a named table', { Ref: 'Table' }, 'joins'],
    ['Ref of an unnamed table is stack-qualified', { Ref: 'Unnamed' }, 'S-Unnamed'],
    ['Ref of a function', { Ref: 'Fn' }, 'task1'],
    ['Ref of a parameter is its default', { Ref: 'Stage' }, 'dev'],
    ['pseudo parameters', { 'Fn::Join': [':', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::Partition' }]] }, 'eu-west-1:000000000000:aws'],
    ['GetAtt Arn of a function', { 'Fn::GetAtt': ['Fn', 'Arn'] }, 'arn:aws:lambda:eu-west-1:000000000000:function:task1'],
    ['GetAtt Arn of a table', { 'Fn::GetAtt': ['Table', 'Arn'] }, 'arn:aws:dynamodb:eu-west-1:000000000000:table/joins'],
    ['GetAtt of cluster brokers is the local broker', { 'Fn::GetAtt': ['Cluster', 'BootstrapBrokerStringSaslIam'] }, '127.0.0.1:9092'],
    ['GetAtt QueueArn', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:eu-west-1:000000000000:S-Queue'],
    ['Fn::Sub with references and attributes', { 'Fn::Sub': 'arn:${AWS::Partition}:x:${Table}:${Fn.Arn}' }, 'arn:aws:x:joins:arn:aws:lambda:eu-west-1:000000000000:function:task1'],
    ['Fn::Sub with its own variables', { 'Fn::Sub': ['${A}-${Stage}', { A: { Ref: 'Fn' } }] }, 'task1-dev'],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
    ['Fn::If on a condition', { 'Fn::If': ['IsDev', 'yes', 'no'] }, 'yes'],
  ])('%s', (_name, value, expected) => {
    expect(r(value)).toEqual(expected);
  });

  test('Fn::ImportValue resolves in the exporting stack', () => {
    expect(resolver.resolve(other, { 'Fn::ImportValue': 'S-table' })).toBe('joins');
  });

  test('an import nobody exports is an error naming the export', () => {
    expect(() => resolver.resolve(other, { 'Fn::ImportValue': 'missing' })).toThrow(/no stack in the assembly exports 'missing'/);
  });

  test('AWS::NoValue drops the property', () => {
    expect(r({ A: 1, B: { Ref: 'AWS::NoValue' } })).toEqual({ A: 1 });
    expect(r({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
  });
});

describe('intrinsic resolver: HTTP APIs of several stacks with the same logical id', () => {
  // GIVEN stacks A and B, each with an API `Api`; A exports its id; B has a nested stack that its parent passes the API to
  const api = { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'Api' } };
  const a = { name: 'A', region: 'us-east-1', template: { Resources: { Api: api }, Outputs: { Id: { Value: { Ref: 'Api' }, Export: { Name: 'A-api' } } } } };
  const b = { name: 'B', region: 'us-east-1', template: { Resources: { Api: api } } };
  const nested = { name: 'B-Nested', region: 'us-east-1', template: { Parameters: { ApiRef: { Type: 'String' } }, Resources: {} }, parent: { stack: b, parameters: { ApiRef: { Ref: 'Api' } } } };
  const local = { kafkaBrokers: '127.0.0.1:9092', dynamodbEndpoint: 'http://127.0.0.1:8000' };
  const byStack = new Resolver([a, b, nested], { ...local, apiUrls: { 'A/Api': 'http://127.0.0.1:1001', 'B/Api': 'http://127.0.0.1:1002' } });
  const endpoint = { 'Fn::GetAtt': ['Api', 'ApiEndpoint'] };

  test('ApiEndpoint resolves to the URL of the stack\'s own API', () => {
    expect([byStack.resolve(a, endpoint), byStack.resolve(b, endpoint)]).toEqual(['http://127.0.0.1:1001', 'http://127.0.0.1:1002']);
    expect(byStack.resolve(b, { 'Fn::Sub': '${Api.ApiEndpoint}/x' })).toBe('http://127.0.0.1:1002/x');
  });

  test('a URL given by bare logical id applies to the API of that id in any stack', () => {
    const bare = new Resolver([a, b], { ...local, apiUrls: { Api: 'http://127.0.0.1:1000', 'B/Api': 'http://127.0.0.1:1002' } });
    expect([bare.resolve(a, endpoint), bare.resolve(b, endpoint)]).toEqual(['http://127.0.0.1:1000', 'http://127.0.0.1:1002']);
  });

  test('resourceOf names the stack that declares the resource a reference designates', () => {
    const of = (stack: typeof a | typeof b | typeof nested, v: unknown) => {
      const found = byStack.resourceOf(stack, v);
      return found && `${found.stack.name}/${found.logicalId}`;
    };
    expect(of(b, { Ref: 'Api' })).toBe('B/Api');
    expect(of(b, { 'Fn::GetAtt': ['Api', 'ApiId'] })).toBe('B/Api');
    expect(of(b, { 'Fn::ImportValue': 'A-api' })).toBe('A/Api');
    expect(of(nested, { Ref: 'ApiRef' })).toBe('B/Api');
    expect(of(b, { Ref: 'Missing' })).toBeUndefined();
    expect(of(b, 'Api')).toBeUndefined();
  });
});

describe('Kafka event builder', () => {
  const record = { topic: 't', partition: 2, offset: 7, timestamp: 1545084650987, key: null, value: Buffer.from('v'), headers: [['h', Buffer.from('x')]] as Array<[string, Buffer]> };

  test('a self-managed mapping has no eventSourceArn', () => {
    const event = buildKafkaEvent({ eventSource: 'SelfManagedKafka', bootstrapServers: 'b:9092' }, [record]);
    expect(Object.keys(event)).toEqual(['eventSource', 'bootstrapServers', 'records']);
  });

  test('a null key is omitted, headers are byte arrays', () => {
    const event = buildKafkaEvent({ eventSource: 'aws:kafka', eventSourceArn: 'arn', bootstrapServers: 'b:9092' }, [record]) as any;
    expect(event.records['t-2'][0]).toEqual({ topic: 't', partition: 2, offset: 7, timestamp: 1545084650987, timestampType: 'CREATE_TIME', value: 'dg==', headers: [{ h: [120] }] });
  });
});

describe('SSM parameter types (cluster attributes published by the cluster\'s stack)', () => {
  const producer = {
    name: 'Foundation', region: 'eu-west-1',
    template: { Resources: {
      Brokers: { Type: 'Custom::KafkaBootstrapBrokers', Properties: {} },
      BrokersParameter: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Name: '/msk-pipelines/demo/bootstrap-brokers', Value: { 'Fn::GetAtt': ['Brokers', 'BootstrapBrokerStringSaslIam'] } } },
    } },
  };
  const consumer = {
    name: 'Chain', region: 'eu-west-1',
    template: {
      Parameters: {
        SsmBrokers: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/msk-pipelines/demo/bootstrap-brokers' },
        SsmMissing: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/msk-pipelines/other/cluster-arn' },
      },
      Resources: {},
    },
  };
  const ssm = new Resolver([producer, consumer], { kafkaBrokers: '127.0.0.1:9092', dynamodbEndpoint: 'http://127.0.0.1:8000' });

  test('GIVEN a parameter of an SSM type WHEN resolved THEN it is the value of the AWS::SSM::Parameter of that name, resolved in its own stack', () => {
    expect(ssm.resolve(consumer, { Ref: 'SsmBrokers' })).toBe('127.0.0.1:9092');
  });

  test('GIVEN an SSM name no stack creates WHEN resolved THEN the error names it, as the deployment would fail', () => {
    expect(() => ssm.resolve(consumer, { Ref: 'SsmMissing' })).toThrow("SSM parameter '/msk-pipelines/other/cluster-arn' (a parameter of stack Chain) is not created by any stack of the assembly");
  });
});
