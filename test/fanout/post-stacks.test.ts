import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { synthToDir } from '../support/synth';
import { buildPostApp } from './post-app';

// NodejsFunction bundling runs esbuild for each function: build each app once per suite.
const three = buildPostApp(new App());
const four = buildPostApp(new App(), { fourthConsumer: true });
const json = (stack: Stack) => JSON.stringify(Template.fromStack(stack).toJSON());

describe('post fan-out stacks', () => {
  test('GIVEN the example app WHEN a fourth consumer is added THEN the publisher stack template file is byte-identical', () => {
    // GIVEN / WHEN: the app synthesized to disk without and with the fourth consumer
    const before = synthToDir((app) => buildPostApp(app));
    const after = synthToDir((app) => buildPostApp(app, { fourthConsumer: true }));
    const file = (dir: string, stack: string) => fs.readFileSync(path.join(dir, `${stack}.template.json`), 'utf8');
    // THEN: the same bytes, asset hashes included; only the consumers stack changed
    expect(file(after, 'PostPublisher')).toBe(file(before, 'PostPublisher'));
    expect(file(after, 'PostConsumers')).not.toBe(file(before, 'PostConsumers'));
    for (const dir of [before, after]) fs.rmSync(dir, { recursive: true, force: true });
    expect(json(four.publisher)).toBe(json(three.publisher));
    // and the change is all in the consumers stack
    expect(json(four.consumers)).not.toBe(json(three.consumers));
    Template.fromStack(four.consumers).resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
  });

  test('GIVEN the example app WHEN synthesized THEN the publisher stack names no consumer and imports nothing from the consumers stack', () => {
    const publisher = json(three.publisher);
    for (const word of ['recruitment', 'real-estate', 'second-hand', 'PostConsumers', 'dlt']) expect(publisher).not.toContain(word);
    expect(Object.keys(Template.fromStack(three.consumers).toJSON().Outputs ?? {})).toEqual([]);
  });

  test('GIVEN the publisher stack THEN POST /posts reaches the publisher function, which may write the posts topic', () => {
    const template = Template.fromStack(three.publisher);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /posts' });
    template.hasResourceProperties('AWS::MSK::Topic', { TopicName: 'posts.published', PartitionCount: 3 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOPIC_NAME: 'posts.published', KAFKA_AUTH: 'iam' }) },
      Runtime: 'nodejs22.x',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  test.each([
    ['recruitment', { REWARDS_TABLE: Match.anyValue(), BALANCES_TABLE: Match.anyValue() }],
    ['real-estate', { PINNED_POSTS_TABLE: Match.anyValue() }],
    ['second-hand', { USER_STATISTICS_TABLE: Match.anyValue() }],
  ])('GIVEN the consumers stack THEN consumer %s has its own group, dead-letter topic, filter and effect table, and no idempotency table (its keyed row dedupes)', (name, env) => {
    const template = Template.fromStack(three.consumers);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['posts.published'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `posts.published.${name}` },
      DestinationConfig: Match.absent(),
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"type":["post.published"]}}' }] },
      StartingPosition: 'TRIM_HORIZON',
    });
    template.hasResourceProperties('AWS::MSK::Topic', { TopicName: `posts.published.${name}.dlt` });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ...env, IDEMPOTENCY_TABLE: Match.absent(), DEAD_LETTER_TOPIC: `posts.published.${name}.dlt`, MAX_ATTEMPTS: '3' }) },
    });
  });

  test.each([
    ['Recruitment', { RewardsTable: ['dynamodb:PutItem'], BalancesTable: ['dynamodb:UpdateItem'] }],
    ['RealEstate', { PinnedPostsTable: ['dynamodb:PutItem'] }],
    ['SecondHand', { UserStatisticsTable: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] }],
  ])('GIVEN the consumers stack THEN %s may make exactly the DynamoDB writes of its effect, and no read', (consumer, expected) => {
    // GIVEN
    const template = Template.fromStack(three.consumers).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const roleOf = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(`Posts${consumer}Function`))?.[0];
    // WHEN: the DynamoDB statements of every policy attached to the consumer's role, per table
    const granted: Record<string, string[]> = {};
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy' || !JSON.stringify(resource.Properties.Roles).includes(`"${roleOf}"`)) continue;
      const statements = (resource.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement;
      for (const statement of statements) {
        const actions = [statement.Action].flat().filter((a) => a.startsWith('dynamodb:'));
        for (const [, table] of JSON.stringify(statement.Resource).matchAll(/"Fn::GetAtt":\["([A-Za-z0-9]+?)[0-9A-F]{8}","Arn"\]/g)) {
          const name = table.replace(/^Posts(Recruitment|RealEstate|SecondHand)/, '');
          granted[name] = [...new Set([...(granted[name] ?? []), ...actions])].sort();
        }
      }
    }
    // THEN
    expect(roleOf).toBeDefined();
    expect(granted).toEqual(expected);
  });

  test('GIVEN the consumers stack THEN it holds the effect tables only and the topic itself is not created there', () => {
    const template = Template.fromStack(three.consumers);
    // four effect tables; the consumers dedupe by their keyed rows, so no idempotency table
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
    template.resourceCountIs('AWS::MSK::Topic', 3);
    expect(json(three.consumers)).not.toContain('"TopicName":"posts.published"');
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('GIVEN the %s cdk-nag pack THEN both stacks have no unacknowledged finding', (_pack, pack) => {
    for (const stack of [three.publisher, three.consumers]) {
      const report = pack().validateScope(stack);
      const findings = report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.resourceLogicalId).join(',')}`);
      expect(findings).toEqual([]);
    }
  });
});
