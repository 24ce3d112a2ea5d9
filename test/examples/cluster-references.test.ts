import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/examples';

/**
 * Replacing the cluster must not be blocked by exports (CloudFormation refuses to change an export
 * in use): the stacks that use the cluster read its attributes from SSM parameters.
 */
describe('cluster attributes across stacks', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { foundation, stacks } = buildApp(app, { nag: false, simulatedProvider: true });
  const json = (s: any) => JSON.stringify(Template.fromStack(s).toJSON());
  const clusterId = foundation.resolve((foundation.cluster as any).cfnCluster.logicalId) as string;

  test('GIVEN the example app THEN the foundation exports nothing of the cluster (only the alarm topic)', () => {
    const outputs = Template.fromStack(foundation).toJSON().Outputs as Record<string, any>;
    const exported = Object.values(outputs).filter((o) => o.Export).map((o) => JSON.stringify(o.Value));
    expect(exported).toEqual([expect.stringMatching(/^\{"Ref":"AlarmTopic/)]);
    for (const stack of stacks.filter((s) => s !== foundation)) {
      expect(json(stack)).not.toMatch(new RegExp(`ImportValue":"[^"]*${clusterId}`));
      expect(json(stack)).not.toMatch(/ImportValue":"[^"]*(ClusterBrokers|ClientSecurityGroup|NetworkVpcPrivate)/);
    }
  });

  test('GIVEN the example app THEN the foundation publishes the cluster\'s attributes as SSM parameters, and a pattern stack reads them as SSM parameter types', () => {
    const names = Object.values(Template.fromStack(foundation).findResources('AWS::SSM::Parameter')).map((p: any) => p.Properties.Name).sort();
    const prefix = `/msk-pipelines/${foundation.cluster.clusterName}`;
    expect(names).toEqual(['bootstrap-brokers', 'client-security-group-id', 'cluster-arn', 'subnet-ids', 'vpc-id'].map((k) => `${prefix}/${k}`));
    const chain = stacks.find((s) => s.stackName === 'MskPipelines-NightlyChain')!;
    const parameters = Template.fromStack(chain).toJSON().Parameters as Record<string, any>;
    const ssmDefaults = Object.values(parameters).filter((p) => p.Type === 'AWS::SSM::Parameter::Value<String>').map((p) => p.Default).filter((d) => d.startsWith(prefix)).sort();
    expect(ssmDefaults).toEqual(['bootstrap-brokers', 'client-security-group-id', 'cluster-arn', 'subnet-ids'].map((k) => `${prefix}/${k}`));
  });
});
