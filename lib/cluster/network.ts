import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validateInteger, validateLiteral } from '../core/validate';

/** Options for the VPC a new cluster creates when none is given. */
export interface KafkaVpcProps {
  /**
   * NAT gateways. With none, subnets are isolated and functions reach AWS APIs
   * through VPC endpoints only.
   * @default 0
   */
  readonly natGateways?: number;
  /**
   * Retention of the VPC flow logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/**
 * A two-AZ VPC for brokers and functions: private subnets, interface endpoints for the
 * APIs Lambda's Kafka pollers and the functions call (Lambda, STS, Secrets Manager),
 * gateway endpoints for DynamoDB and S3, and flow logs. No MSK API endpoint: brokers are
 * looked up at deploy time from outside the VPC (BootstrapBrokersLookup), so nothing in the VPC
 * calls the MSK control plane.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
 */
export class KafkaVpc extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The subnets brokers and functions are placed in. */
  public readonly subnets: ec2.SubnetSelection;
  /** Group of the interface endpoints: HTTPS from the groups given to `allowHttpsFrom` only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: KafkaVpcProps = {}) {
    super(scope, id);
    const natGateways = props.natGateways ?? 0;
    validateLiteral(this, 'natGateways', natGateways, 'it decides whether the subnets have a route to the internet');
    validateInteger(this, 'natGateways', natGateways, 0, 2);
    const privateType = natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    const subnetConfiguration: ec2.SubnetConfiguration[] = [{ name: 'Private', subnetType: privateType, cidrMask: 22 }];
    if (natGateways > 0) subnetConfiguration.push({ name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 });

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways,
      subnetConfiguration,
      restrictDefaultSecurityGroup: true,
    });
    this.subnets = { subnetType: privateType };

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [this.subnets] });
    this.vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB, subnets: [this.subnets] });
    const interfaces: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
      Lambda: ec2.InterfaceVpcEndpointAwsService.LAMBDA,
      Sts: ec2.InterfaceVpcEndpointAwsService.STS,
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
    };
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from Kafka clients and pollers',
      allowAllOutbound: false,
    });
    for (const [name, service] of Object.entries(interfaces)) this.addServiceEndpoint(name, service);
  }

  /**
   * An interface endpoint (private DNS, the endpoint security group) for one more AWS service the
   * functions or Lambda's pollers call, e.g. SQS for `DeadLetter.sqs()`; once per service.
   */
  public addServiceEndpoint(id: string, service: ec2.InterfaceVpcEndpointAwsService): ec2.InterfaceVpcEndpoint {
    const existing = this.vpc.node.tryFindChild(id);
    if (existing instanceof ec2.InterfaceVpcEndpoint) return existing;
    return this.vpc.addInterfaceEndpoint(id, {
      service,
      subnets: this.subnets,
      privateDnsEnabled: true,
      securityGroups: [this.endpointSecurityGroup],
      open: false,
    });
  }

  /** Lets `peer` call the interface endpoints. */
  public allowHttpsFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.endpointSecurityGroup.addIngressRule(peer, ec2.Port.tcp(443), description);
  }
}
