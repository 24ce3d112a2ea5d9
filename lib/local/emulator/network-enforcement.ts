import type { ResourceView, RuleContext } from '../../checks/rule';
import { functionNetwork, isCluster, kafkaClusterOf, KAFKA_PORTS, pollerReach, Reach } from '../../checks/network';
import type { FunctionModel, MappingModel } from './model';
import type { ConnectionRefusal } from './worker-protocol';

/**
 * Run-time enforcement of the network model (lib/checks/network.ts, the one `check` uses): the
 * loopback ports of the local stand-ins a function could not reach on AWS, each with the error the
 * function gets when it connects. Local mode fails at once where AWS would hang until timeout.
 */

/** The local addresses that stand for AWS services, the brokers and public endpoints. */
export interface LocalAddresses {
  /** DynamoDB's endpoint URL (DynamoDB Local). */
  readonly dynamodb: string;
  /** The Secrets Manager stand-in's URL. @default none */
  readonly secretsmanager?: string;
  /** The SQS stand-in's URL. @default none */
  readonly sqs?: string;
  /** The local brokers (`host:port,…`). */
  readonly kafkaBrokers: string;
  /** Base URLs of the HTTP APIs: public endpoints on AWS. @default none */
  readonly publicUrls?: readonly string[];
}

/** What the function sees, added to the model's reason. */
const ON_AWS = 'Local mode refuses the connection at once; on AWS it would hang until the function times out.';

/** The connections `fn` could not make on AWS; empty when its template is not in `context` or not in a VPC. */
export function connectionRefusals(fn: FunctionModel, context: RuleContext, local: LocalAddresses): ConnectionRefusal[] {
  const view = functionView(fn, context);
  if (!view) return [];
  const network = functionNetwork(view, context);
  const refusals: ConnectionRefusal[] = [];
  const refuse = (address: string | undefined, reach: Reach, what: string) => {
    const port = address === undefined ? undefined : portOf(address);
    if (port === undefined || reach.reachable || !reach.known) return;
    refusals.push({ port, message: `Network: ${fn.name} cannot connect to ${what} (${address}): ${reach.reason}. ${ON_AWS}` });
  };
  for (const service of ['dynamodb', 'secretsmanager', 'sqs'] as const) refuse(local[service], network.service(service), `${service} (the local stand-in of its endpoint)`);
  const client = kafkaClusterOf(view, context);
  if (client) {
    const reach = network.kafka(client.cluster, client.port);
    for (const broker of local.kafkaBrokers.split(',')) refuse(broker, reach, 'the Kafka brokers');
  }
  for (const url of local.publicUrls ?? []) refuse(url, network.internet, 'a public endpoint');
  return refusals;
}

/** The template resource of an emulated function (by construct path, else stack and logical id). */
function functionView(fn: FunctionModel, context: RuleContext): ResourceView | undefined {
  const candidates = context.resources('AWS::Lambda::Function').filter((v) => v.logicalId === fn.logicalId);
  return candidates.find((v) => fn.path !== undefined && v.path === fn.path)
    ?? candidates.find((v) => v.stack === fn.stack || v.stack.endsWith(`/${fn.stack}`));
}

/** The port of `http://host:port/…` or `host:port`. */
function portOf(address: string): number | undefined {
  const m = /^(?:[a-z]+:\/\/)?[^/:]+:(\d+)/.exec(address);
  return m ? Number(m[1]) : undefined;
}

/**
 * Why a mapping's poller could not reach its cluster's brokers on AWS (it runs in the cluster's
 * subnets with the cluster's security groups); undefined when it could, or the templates do not say.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
 */
export function pollerRefusal(mapping: MappingModel, context: RuleContext): string | undefined {
  const view = context.resources('AWS::Lambda::EventSourceMapping')
    .find((v) => v.logicalId === mapping.logicalId && (v.stack === mapping.stack || v.stack.endsWith(`/${mapping.stack}`)));
  const cluster = view && context.referenced(view, view.properties.EventSourceArn);
  if (!cluster || !isCluster(cluster)) return undefined;
  const reach = pollerReach(cluster, clusterPort(cluster), context);
  return reach.known && !reach.reachable ? reach.reason : undefined;
}

/** The broker port Lambda's poller uses: IAM when the cluster enables it, else SCRAM, else TLS. */
function clusterPort(cluster: ResourceView): number {
  const sasl = cluster.properties.ClientAuthentication?.Sasl ?? {};
  if (cluster.type === 'AWS::MSK::ServerlessCluster' || sasl.Iam?.Enabled === true) return KAFKA_PORTS.iam;
  if (sasl.Scram?.Enabled === true) return KAFKA_PORTS['scram-sha-512'];
  return KAFKA_PORTS.tls;
}
