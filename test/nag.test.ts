import { App } from 'aws-cdk-lib';
import { appOptionsFromContext, buildApp } from '../lib/examples';
import { describeFindings, nagFindings } from './support/nag';

const EXISTING = {
  clusterMode: 'existing',
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/shared/11111111-2222-3333-4444-555555555555-1',
  vpcId: 'vpc-0a1b2c3d4e5f60718',
  availabilityZones: 'eu-west-1a,eu-west-1b',
  privateSubnetIds: 'subnet-0a1b2c3d4e5f60711,subnet-0a1b2c3d4e5f60722',
  securityGroupId: 'sg-0a1b2c3d4e5f60799',
};

describe('cdk-nag (AwsSolutions + Serverless)', () => {
  test.each([
    ['provisioned', { clusterMode: 'provisioned' }],
    ['serverless', { clusterMode: 'serverless' }],
    ['existing', EXISTING],
    ['provisioned, the simulated provider and open demo routes', { clusterMode: 'provisioned', simulatedProvider: 'true', openWriteRoutes: 'true', alarmEmail: 'ops@example.com' }],
  ])('GIVEN the app with a %s cluster THEN no unacknowledged finding (error or warning) in any stack', (_name, context) => {
    const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const { stacks } = buildApp(app, { ...appOptionsFromContext(app), nag: false });
    for (const stack of stacks) {
      expect(describeFindings(nagFindings(stack))).toEqual([]);
    }
  });

  test('GIVEN a deliberately open security group THEN the check reports it (the packs do run)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const { foundation } = buildApp(app, { nag: false });
    const ec2 = require('aws-cdk-lib/aws-ec2') as typeof import('aws-cdk-lib/aws-ec2');
    const open = new ec2.SecurityGroup(foundation, 'Open', { vpc: foundation.cluster.vpc });
    open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(9098));
    expect(describeFindings(nagFindings(foundation)).join('\n')).toMatch(/AwsSolutions-EC23/);
  });
});
