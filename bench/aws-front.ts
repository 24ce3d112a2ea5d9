/**
 * What the IAM front (lib/local/aws-front) adds to a DynamoDB call: PutItem p50/p90 straight to
 * DynamoDB Local vs through the front, signed as a function whose role allows it (decision
 * cached after the first call) and as a caller no function is (streamed through unevaluated),
 * the three interleaved in one run so that load hits them alike. Writes bench/results/aws-front.json.
 *
 *   DYNAMODB_ENDPOINT=http://127.0.0.1:18000 npx tsx bench/aws-front.ts [calls]
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { AwsFront } from '../lib/local/aws-front';
import { accessKeyIdOf, LOCAL_SECRET_ACCESS_KEY } from '../lib/local/emulator/environment';
import { Resolver, ResolverStack } from '../lib/local/emulator/resolve';
import { RoleAuthorizer } from '../lib/local/iam';
import { runBenchmark, stats, writeResult } from './support/stats';

const CALLS = Number(process.argv[2] ?? 400);
const WARMUP = 20;
const TABLE = 'bench-aws-front';
const REGION = 'us-east-1';

/** One function whose role may put items in the table. */
const STACK: ResolverStack = {
  name: 'Bench',
  region: REGION,
  template: {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'writer', Role: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: TABLE } },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }] } },
      },
    },
  },
};

async function main(): Promise<void> {
  const dynamodbEndpoint = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:18000';
  const authorizer = RoleAuthorizer.fromStacks([STACK], new Resolver([STACK], { kafkaBrokers: '', dynamodbEndpoint }));
  const front = await AwsFront.start({ authorizer, functionNames: ['writer'], secretArnOf: (id) => id });
  front.route('dynamodb', dynamodbEndpoint);
  const client = (endpoint: string, accessKeyId: string) => new DynamoDBClient({ endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId, secretAccessKey: LOCAL_SECRET_ACCESS_KEY } });
  const paths = {
    direct: client(dynamodbEndpoint, 'bench'),
    frontEvaluated: client(front.url('dynamodb'), accessKeyIdOf('writer')),
    frontUnevaluated: client(front.url('dynamodb'), 'bench'),
  };
  try {
    await paths.direct.send(new CreateTableCommand({
      TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    })).catch((e) => { if (!(e instanceof ResourceInUseException)) throw e; });
    const samples: Record<keyof typeof paths, number[]> = { direct: [], frontEvaluated: [], frontUnevaluated: [] };
    for (let i = 0; i < WARMUP + CALLS; i++) {
      for (const [name, c] of Object.entries(paths) as Array<[keyof typeof paths, DynamoDBClient]>) {
        const t0 = performance.now();
        await c.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: `${name}-${i % 50}` }, n: { N: String(i) } } }));
        if (i >= WARMUP) samples[name].push(performance.now() - t0);
      }
    }
    const direct = stats(samples.direct);
    const evaluated = stats(samples.frontEvaluated);
    const unevaluated = stats(samples.frontUnevaluated);
    writeResult('aws-front', {
      calls: CALLS,
      putItemMs: { direct, frontEvaluated: evaluated, frontUnevaluated: unevaluated },
      addedP50Ms: { evaluated: Math.round((evaluated.p50 - direct.p50) * 100) / 100, unevaluated: Math.round((unevaluated.p50 - direct.p50) * 100) / 100 },
      ratioP50: { evaluated: Math.round((evaluated.p50 / direct.p50) * 100) / 100, unevaluated: Math.round((unevaluated.p50 / direct.p50) * 100) / 100 },
    });
  } finally {
    for (const c of Object.values(paths)) c.destroy();
    await front.stop();
  }
}

runBenchmark(main);
