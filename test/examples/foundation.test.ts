import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { appOptionsFromContext, FoundationStack } from '../../lib/examples';

import { maskedTemplate } from '../support/snapshot';

const EXISTING = {
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/shared/11111111-2222-3333-4444-555555555555-1',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: 'eu-west-1a,eu-west-1b',
  privateSubnetIds: 'subnet-0a1b2c3d4e5f60711,subnet-0a1b2c3d4e5f60722',
  securityGroupId: 'sg-0a1b2c3d4e5f60799',
};

/** The foundation stack alone, as bin/app.ts builds it from context (bundling skipped: hashes are masked anyway). */
function foundation(context: Record<string, unknown> = {}): FoundationStack {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const options = appOptionsFromContext(app);
  return new FoundationStack(app, 'MskPipelines-Foundation', { clusterMode: options.clusterMode, existing: options.existing });
}

describe('Foundation stack', () => {
  test('GIVEN the default (provisioned) app THEN the template matches the snapshot (asset hashes masked)', () => {
    expect(maskedTemplate(foundation())).toMatchSnapshot();
  });

  test('GIVEN clusterMode=serverless THEN the template matches the snapshot', () => {
    expect(maskedTemplate(foundation({ clusterMode: 'serverless' }))).toMatchSnapshot();
  });

  test('GIVEN clusterMode=existing with its network THEN no cluster or VPC is created and the mapping reads the ARN', () => {
    const stack = foundation({ clusterMode: 'existing', ...EXISTING, kafkaVersion: '3.9.x' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::MSK::Cluster', 0);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('AWS::MSK::Topic', 2);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: EXISTING.clusterArn });
  });

  test('GIVEN clusterMode=existing without kafkaVersion THEN topics use the custom resource', () => {
    Template.fromStack(foundation({ clusterMode: 'existing', ...EXISTING })).resourceCountIs('Custom::KafkaTopic', 2);
  });

  test('GIVEN clusterMode=existing without its network THEN it names the missing context', () => {
    expect(() => foundation({ clusterMode: 'existing', clusterArn: EXISTING.clusterArn }))
      .toThrow(/clusterMode=existing needs context vpcId, availabilityZones, privateSubnetIds, securityGroupId/);
  });

  test('GIVEN any mode THEN CDK reports no warning or error annotation', () => {
    for (const ctx of [{}, { clusterMode: 'serverless' }, { clusterMode: 'existing', ...EXISTING }]) {
      const annotations = Annotations.fromStack(foundation(ctx));
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    }
  });

  test('GIVEN an unknown clusterMode THEN it throws', () => {
    expect(() => foundation({ clusterMode: 'kraft' })).toThrow(/clusterMode must be 'provisioned', 'serverless' or 'existing', got 'kraft'/);
  });

  test('GIVEN any mode THEN every mapping has an explicit consumer group id, and the runtime (not the on-demand mapping) dead-letters', () => {
    for (const ctx of [{}, { clusterMode: 'serverless' }, { clusterMode: 'existing', ...EXISTING }]) {
      const t = Template.fromStack(foundation(ctx));
      const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')) as any[];
      expect(mappings.length).toBeGreaterThan(0);
      for (const m of mappings) {
        expect(m.Properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId).toBe('MskPipelines-Foundation-AuditLog');
        expect(m.Properties.DestinationConfig).toBeUndefined();
      }
      t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DEAD_LETTER_TOPIC: 'events.audit.AuditLog.dlt', REPORT_BATCH_ITEM_FAILURES: 'false' }) } });
    }
  });
});
