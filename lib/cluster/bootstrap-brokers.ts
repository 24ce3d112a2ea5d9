import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeCdkProviderFunction } from '../function/acknowledge';

/** CloudFormation type of the broker lookup (the emulator resolves its attributes to the local broker). */
export const KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE = 'Custom::KafkaBootstrapBrokers';

/** The `GetBootstrapBrokers` response field that holds the SASL/IAM brokers (port 9098). */
export const SASL_IAM_BROKERS_FIELD = 'BootstrapBrokerStringSaslIam';

/** Properties of a broker lookup. */
export interface BootstrapBrokersLookupProps {
  /** ARN of the MSK cluster (provisioned or serverless). */
  readonly clusterArn: string;
}

/**
 * Looks up an MSK cluster's SASL/IAM bootstrap brokers once per deployment, so that functions get
 * them as `KAFKA_BOOTSTRAP_SERVERS` and never call the MSK control plane at run time: the default
 * VPC has isolated subnets without a NAT, and `AWS::MSK::Cluster` exposes no broker attribute.
 *
 * The lookup's own function runs outside the VPC (AwsCustomResource places it in none), where the
 * public MSK API endpoint is reachable. It runs again whenever the cluster ARN changes, i.e. when
 * the cluster is replaced.
 *
 * @see https://docs.aws.amazon.com/msk/1.0/apireference/clusters-clusterarn-bootstrap-brokers.html
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-get-bootstrap-brokers.html
 */
export class BootstrapBrokersLookup extends Construct {
  /** `host:port,host:port` of the SASL/IAM listeners, resolved at deploy time. */
  public readonly saslIamBrokers: string;
  /** The custom resource. */
  public readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: BootstrapBrokersLookupProps) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'Kafka',
      action: 'GetBootstrapBrokers',
      parameters: { ClusterArn: props.clusterArn },
      physicalResourceId: cr.PhysicalResourceId.of(props.clusterArn),
      outputPaths: [SASL_IAM_BROKERS_FIELD],
    };
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE,
      onCreate: call,
      onUpdate: call,
      // The service authorization reference scopes kafka:GetBootstrapBrokers to the cluster ARN.
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: [props.clusterArn] }),
      ]),
      // The Lambda runtime's own AWS SDK has the Kafka client; downloading one at deploy time would need npm.
      installLatestAwsSdk: false,
    });
    this.saslIamBrokers = this.resource.getResponseField(SASL_IAM_BROKERS_FIELD);
    acknowledgeLookupFunction(this);
  }
}

/** The AwsCustomResource singleton function is CDK's, shared by the stack's lookups. */
function acknowledgeLookupFunction(scope: Construct): void {
  acknowledgeCdkProviderFunction(Stack.of(scope), 'CDK\'s AwsCustomResource function (broker lookup)');
  Validations.of(Stack.of(scope)).acknowledge({ id: 'Serverless-LambdaLogGroupRetention', reason: 'CDK\'s AwsCustomResource function logs once per deployment' });
}
