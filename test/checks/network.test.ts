import * as fs from 'fs';
import { checkAssembly } from '../../lib/cli/check';
import { assemblyRuleContext } from '../../lib/local/emulator/assembly-context';
import { functionNetwork, kafkaClusterOf, pollerReach } from '../../lib/checks/network';
import { templateViews, viewContext } from '../../lib/checks/rule';
import { pollerRefusal } from '../../lib/local/emulator/network-enforcement';
import type { MappingModel } from '../../lib/local/emulator/model';
import { synthToDir } from '../support/synth';
import { buildNetworkApp } from './network-apps';

/** The network model and its two `check` rules over a deliberately wrong app (no services). */
describe('network model', () => {
  let dir: string;

  beforeAll(() => {
    dir = synthToDir((app) => buildNetworkApp(app), { 'aws:cdk:enable-path-metadata': true });
  }, 180_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('GIVEN a function sending to SQS from isolated subnets without an SQS endpoint, and a Kafka client outside any VPC WHEN checked THEN each is reported, with what is missing; the control function is not', () => {
    // WHEN
    const report = checkAssembly(dir);
    // THEN
    const network = report.findings.filter((f) => f.rule === 'FunctionServiceReachable' || f.rule === 'KafkaClientInClusterNetwork');
    expect(network.map((f) => [f.rule, f.logicalId.replace(/[0-9A-F]{8}$/, ''), f.message])).toEqual([
      ['FunctionServiceReachable', 'IsolatedSqs', 'function Net/IsolatedSqs cannot reach sqs: its VPC Net/Cluster/Network/Vpc has no endpoint com.amazonaws.<region>.sqs and function Net/IsolatedSqs runs in subnets without a NAT gateway route (Net/Cluster/Network/Vpc/PrivateSubnet1/Subnet, Net/Cluster/Network/Vpc/PrivateSubnet2/Subnet): a function in a VPC has no public IP, so it reaches public addresses only through a NAT gateway'],
      ['KafkaClientInClusterNetwork', 'OutsideVpc', 'function Net/OutsideVpc is not in a VPC: it cannot reach the brokers of Net/Cluster, which listen only inside the cluster\'s VPC (give it the cluster\'s VPC, subnets and a security group the cluster admits)'],
    ]);
  });

  test('GIVEN the control function in the cluster\'s subnets and client security group THEN it reaches DynamoDB by the gateway endpoint and the brokers on the IAM port, and not the internet', () => {
    // GIVEN
    const context = assemblyRuleContext(dir);
    const inside = context.resources('AWS::Lambda::Function').find((f) => f.logicalId.startsWith('Inside'))!;
    // WHEN
    const network = functionNetwork(inside, context);
    const client = kafkaClusterOf(inside, context)!;
    // THEN
    expect(network.service('dynamodb')).toEqual({ reachable: true, known: true, reason: 'gateway endpoint Net/Cluster/Network/Vpc/DynamoDb' });
    expect(network.service('secretsmanager')).toEqual({ reachable: true, known: true, reason: 'interface endpoint Net/Cluster/Network/Vpc/SecretsManager' });
    expect(client.port).toBe(9098);
    expect(network.kafka(client.cluster, client.port)).toEqual({ reachable: true, known: true, reason: 'same VPC, admitted on port 9098' });
    expect(network.internet.reachable).toBe(false);
  });
});

describe('network model: the mapping poller', () => {
  /** A cluster whose broker security group admits `ingress` sources on the IAM port. */
  const template = (ingressFrom: string[]) => ({
    Resources: {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } },
      Subnet: { Type: 'AWS::EC2::Subnet', Properties: { VpcId: { Ref: 'Vpc' } } },
      ClientGroup: { Type: 'AWS::EC2::SecurityGroup', Properties: { VpcId: { Ref: 'Vpc' } } },
      BrokerGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: { VpcId: { Ref: 'Vpc' }, SecurityGroupIngress: ingressFrom.map((g) => ({ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, SourceSecurityGroupId: { 'Fn::GetAtt': [g, 'GroupId'] } })) },
      },
      Cluster: { Type: 'AWS::MSK::Cluster', Properties: { BrokerNodeGroupInfo: { ClientSubnets: [{ Ref: 'Subnet' }], SecurityGroups: [{ 'Fn::GetAtt': ['BrokerGroup', 'GroupId'] }] }, ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } },
      Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { EventSourceArn: { Ref: 'Cluster' }, Topics: ['orders'] } },
    },
  });
  const mapping = { logicalId: 'Mapping', stack: 'Stack', functionName: 'fn' } as MappingModel;

  test('GIVEN a cluster whose security group admits only its clients\' group WHEN its mapping is read THEN the poller, which uses the cluster\'s own group, cannot reach the brokers', () => {
    // GIVEN
    const context = viewContext(templateViews('Stack', template(['ClientGroup'])));
    const cluster = context.resources('AWS::MSK::Cluster')[0];
    // WHEN / THEN
    expect(pollerReach(cluster, 9098, context).reachable).toBe(false);
    expect(pollerRefusal(mapping, context)).toBe('the security groups of Stack/Cluster do not admit themselves (nor the VPC\'s CIDR) on port 9098: the event source mapping\'s poller, which runs in the cluster\'s subnets with the cluster\'s security groups, cannot reach the brokers');
  });

  test('GIVEN the cluster\'s group admits itself on the IAM port THEN the poller reaches the brokers', () => {
    const context = viewContext(templateViews('Stack', template(['ClientGroup', 'BrokerGroup'])));
    expect(pollerRefusal(mapping, context)).toBeUndefined();
  });
});
