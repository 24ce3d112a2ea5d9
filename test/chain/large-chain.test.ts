import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TaskChain } from '../../lib/chain';
import { KafkaCluster } from '../../lib/cluster';
import { layeredTasks } from './chain-fixtures';

describe('a chain too big for one stack', () => {
  // Bundling is skipped: this test is about the templates, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Big', { env: { account: '111111111111', region: 'eu-west-1' } });
  const chain = new TaskChain(stack, 'Chain', { cluster: new KafkaCluster(stack, 'Cluster'), chainName: 'big', tasks: layeredTasks(100) });
  const assembly = app.synth();

  test('GIVEN 100 tasks WHEN synthesized THEN the tasks are split into nested stacks of 40 and every template stays under 500 resources', () => {
    expect(chain.taskStacks).toHaveLength(3);
    const parent = Template.fromStack(stack);
    parent.resourceCountIs('AWS::CloudFormation::Stack', 3);
    const counts = [stack, ...chain.taskStacks].map((s) => Object.keys(Template.fromStack(s).toJSON().Resources).length);
    for (const count of counts) expect(count).toBeLessThan(500);
    const mappings = chain.taskStacks.map((s) => Template.fromStack(s).findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.map((m) => Object.keys(m).length)).toEqual([40, 40, 20]);
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(['Big']);
  });

  test('GIVEN a task in a nested stack THEN its consumer group id is built from the root stack, not the nested one', () => {
    Template.fromStack(chain.taskStacks[2]).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'Big.chain.big.t99' },
    });
  });
});
