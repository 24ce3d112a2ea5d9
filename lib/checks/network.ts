import type { ResourceView, RuleContext } from './rule';
import { describe, environmentOf } from './private/resources';
import { KafkaEnv } from '../../lambdas/runtime/kafka-env';

/**
 * The network model of local mode: from the templates alone, what each function can reach on AWS
 * (AWS service endpoints, the Kafka brokers of its cluster, the public internet), each answer with
 * the reason. Pure: `msk-pipelines check` and the emulator's run-time enforcement read the same
 * answers. What is not modelled (peering, transit gateways, NACLs, DNS overrides, Availability
 * Zones of an interface endpoint) is never reported as unreachable: the model errs towards reach.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html
 * @see https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html
 */

/** Whether something is reachable, and why (the reason names what is missing when it is not). */
export interface Reach {
  /** Whether the target can be reached; `true` when not `known`, so that nothing unknown is reported. */
  readonly reachable: boolean;
  /** `false` when the templates do not say (a reference out of view): never reported. */
  readonly known: boolean;
  /** Why, in a sentence for the report: the route found, or what is missing (NAT route, endpoint, security group rule). */
  readonly reason: string;
}

/** HTTPS, the port of every AWS service endpoint. */
const HTTPS_PORT = 443;

/**
 * The broker port of each authentication the runtime supports (`KAFKA_AUTH`).
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html
 */
export const KAFKA_PORTS: Readonly<Record<string, number>> = { iam: 9098, 'scram-sha-512': 9096, tls: 9094, none: 9092 };

/**
 * Prefixes of IAM actions that a function's own code calls over the network, by endpoint name
 * (`com.amazonaws.<region>.<name>`). Logs and X-Ray are written by Lambda for the function, and
 * `kafka-cluster:*` is the Kafka protocol (the brokers, modelled apart).
 */
const DATA_PLANE_SERVICES: Readonly<Record<string, string>> = {
  dynamodb: 'dynamodb',
  secretsmanager: 'secretsmanager',
  sqs: 'sqs',
  sns: 'sns',
  s3: 's3',
  lambda: 'lambda',
  kafka: 'kafka',
  sts: 'sts',
  ssm: 'ssm',
  kms: 'kms',
  events: 'events',
};

/** `AWS_ENDPOINT_URL_<SERVICE>` names of the services above, for functions configured by endpoint. */
const ENDPOINT_VARIABLES: Readonly<Record<string, string>> = {
  AWS_ENDPOINT_URL_DYNAMODB: 'dynamodb',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: 'secretsmanager',
  AWS_ENDPOINT_URL_SQS: 'sqs',
  AWS_ENDPOINT_URL_SNS: 'sns',
  AWS_ENDPOINT_URL_S3: 's3',
  AWS_ENDPOINT_URL_LAMBDA: 'lambda',
  AWS_ENDPOINT_URL_KAFKA: 'kafka',
};

/** A function's network position, read from its template and the resources it references. */
export interface FunctionNetwork {
  /** The function (`AWS::Lambda::Function`) whose network position this is. */
  readonly fn: ResourceView;
  /** Undefined for a function outside any VPC (Lambda's own network, with internet access). */
  readonly vpc?: ResourceView;
  /** Whether the function's VPC attachment could be read in full (subnets, groups, VPC). */
  readonly known: boolean;
  /** Reach of an AWS service by endpoint name (`dynamodb`, `secretsmanager`, `sqs`, …). */
  service(name: string): Reach;
  /** Reach of public internet addresses (an HTTP API's endpoint, a third-party URL). */
  readonly internet: Reach;
  /** Reach of the brokers of `cluster` (an `AWS::MSK::Cluster` or serverless cluster) on `port`. */
  kafka(cluster: ResourceView, port: number): Reach;
}

/** Reads the network position of `fn` (an `AWS::Lambda::Function`). */
export function functionNetwork(fn: ResourceView, context: RuleContext): FunctionNetwork {
  const vpcConfig = fn.properties.VpcConfig;
  const name = describeResource(fn);
  if (vpcConfig === undefined) {
    const open: Reach = { reachable: true, known: true, reason: 'not in a VPC: Lambda\'s own network reaches public endpoints' };
    return {
      fn,
      known: true,
      service: () => open,
      internet: open,
      kafka: (cluster) => ({
        reachable: false,
        known: true,
        reason: `function ${name} is not in a VPC: it cannot reach the brokers of ${describeResource(cluster)}, which listen only inside the cluster's VPC (give it the cluster's VPC, subnets and a security group the cluster admits)`,
      }),
    };
  }
  const subnets = referencedList(fn, vpcConfig.SubnetIds, context);
  const groups = referencedList(fn, vpcConfig.SecurityGroupIds, context);
  const vpc = subnets?.[0] && context.referenced(subnets[0], subnets[0].properties.VpcId);
  const known = subnets !== undefined && groups !== undefined && vpc !== undefined;
  const unknown: Reach = { reachable: true, known: false, reason: `the VPC attachment of ${name} is out of view` };
  if (!known) return { fn, vpc, known, service: () => unknown, internet: unknown, kafka: () => unknown };

  const routeTables = subnets.map((s) => ({ subnet: s, table: routeTableOf(s, context) }));
  const natIn = (table: ResourceView | undefined) => table !== undefined && routesOf(table, context).some((r) => r.properties.NatGatewayId !== undefined && isDefaultRoute(r));
  const withoutNat = routeTables.filter((rt) => !natIn(rt.table)).map((rt) => describeResource(rt.subnet));
  const egressAnywhere = (port: number) => groups.some((g) => egressRules(g, context).some((r) => admitsPort(r, port) && isAnywhere(r.CidrIp)));
  const internet: Reach = withoutNat.length > 0
    ? { reachable: false, known: true, reason: `function ${name} runs in subnets without a NAT gateway route (${withoutNat.join(', ')}): a function in a VPC has no public IP, so it reaches public addresses only through a NAT gateway` }
    : egressAnywhere(HTTPS_PORT)
      ? { reachable: true, known: true, reason: 'a NAT gateway route in every subnet' }
      : { reachable: false, known: true, reason: `the security groups of ${name} allow no outbound HTTPS to 0.0.0.0/0` };

  const endpoints = context.resources('AWS::EC2::VPCEndpoint').filter((e) => sameResource(context.referenced(e, e.properties.VpcId), vpc));
  const service = (svc: string): Reach => {
    const gateway = endpoints.find((e) => endpointType(e) === 'Gateway' && endpointService(e) === svc);
    if (gateway) {
      const tables = referencedList(gateway, gateway.properties.RouteTableIds, context) ?? [];
      const missing = routeTables.filter((rt) => rt.table === undefined || !tables.some((t) => sameResource(t, rt.table)));
      if (missing.length === 0) {
        return egressAnywhere(HTTPS_PORT) || groups.some((g) => egressRules(g, context).some((r) => admitsPort(r, HTTPS_PORT) && r.DestinationPrefixListId !== undefined))
          ? { reachable: true, known: true, reason: `gateway endpoint ${describeResource(gateway)}` }
          : { reachable: false, known: true, reason: `function ${name} cannot reach ${svc}: its security groups allow no outbound HTTPS to the gateway endpoint ${describeResource(gateway)} (its prefix list or 0.0.0.0/0)` };
      }
    }
    const iface = endpoints.find((e) => endpointType(e) === 'Interface' && endpointService(e) === svc);
    if (iface) {
      if (iface.properties.PrivateDnsEnabled !== true) {
        if (internet.reachable) return internet;
        return { reachable: false, known: true, reason: `function ${name} cannot reach ${svc}: interface endpoint ${describeResource(iface)} has private DNS off, so the SDK's default endpoint name resolves to public addresses, and ${internet.reason}` };
      }
      const endpointGroups = referencedList(iface, iface.properties.SecurityGroupIds, context) ?? [];
      const admitted = endpointGroups.some((g) => ingressRules(g, context).some((r) => admitsPort(r, HTTPS_PORT) && admitsSource(r, groups, vpc, g, context)));
      const leaves = groups.some((g) => egressRules(g, context).some((r) => admitsPort(r, HTTPS_PORT) && admitsDestination(r, endpointGroups, vpc, g, context)));
      if (admitted && leaves) return { reachable: true, known: true, reason: `interface endpoint ${describeResource(iface)}` };
      return {
        reachable: false,
        known: true,
        reason: !admitted
          ? `function ${name} cannot reach ${svc}: the security groups of interface endpoint ${describeResource(iface)} admit neither its security groups nor the VPC's CIDR on port ${HTTPS_PORT}`
          : `function ${name} cannot reach ${svc}: its security groups allow no outbound HTTPS to interface endpoint ${describeResource(iface)}`,
      };
    }
    if (internet.reachable) return { reachable: true, known: true, reason: `${svc} through the NAT gateway` };
    return {
      reachable: false,
      known: true,
      reason: `function ${name} cannot reach ${svc}: its VPC ${describeResource(vpc)} has no endpoint com.amazonaws.<region>.${svc}${gateway ? ` on its subnets' route tables (gateway endpoint ${describeResource(gateway)})` : ''} and ${internet.reason}`,
    };
  };

  const kafka = (cluster: ResourceView, port: number): Reach => {
    const { subnets: clusterSubnets, groups: clusterGroups } = clusterNetwork(cluster, context);
    if (clusterSubnets === undefined || clusterGroups === undefined) return unknown;
    const clusterVpc = clusterSubnets[0] && context.referenced(clusterSubnets[0], clusterSubnets[0].properties.VpcId);
    if (!sameResource(clusterVpc, vpc)) {
      return { reachable: false, known: clusterVpc !== undefined, reason: `function ${name} runs in VPC ${describeResource(vpc)}, not in the VPC of ${describeResource(cluster)}${clusterVpc ? ` (${describeResource(clusterVpc)})` : ''}: its brokers are not reachable (peering is not modelled)` };
    }
    const admitted = clusterGroups.some((g) => ingressRules(g, context).some((r) => admitsPort(r, port) && admitsSource(r, groups, vpc, g, context)));
    if (!admitted) return { reachable: false, known: true, reason: `the security groups of ${describeResource(cluster)} do not admit function ${name} (its security groups or the VPC's CIDR) on the broker port ${port}` };
    const leaves = groups.some((g) => egressRules(g, context).some((r) => admitsPort(r, port) && admitsDestination(r, clusterGroups, vpc, g, context)));
    if (!leaves) return { reachable: false, known: true, reason: `the security groups of function ${name} allow no outbound traffic to ${describeResource(cluster)} on port ${port}` };
    return { reachable: true, known: true, reason: `same VPC, admitted on port ${port}` };
  };

  return { fn, vpc, known, service, internet, kafka };
}

/**
 * The network a mapping's poller uses for an MSK cluster: the cluster's own subnets and security
 * groups. The poller reaches the brokers only if a cluster security group admits itself (or the
 * VPC's CIDR) on the broker port.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
 */
export function pollerReach(cluster: ResourceView, port: number, context: RuleContext): Reach {
  const { subnets, groups } = clusterNetwork(cluster, context);
  if (subnets === undefined || groups === undefined) return { reachable: true, known: false, reason: `the network of ${describeResource(cluster)} is out of view` };
  const vpc = subnets[0] && context.referenced(subnets[0], subnets[0].properties.VpcId);
  const self = groups.some((g) => ingressRules(g, context).some((r) => admitsPort(r, port) && admitsSource(r, groups, vpc, g, context)));
  return self
    ? { reachable: true, known: true, reason: `the cluster's security groups admit themselves on port ${port}` }
    : { reachable: false, known: true, reason: `the security groups of ${describeResource(cluster)} do not admit themselves (nor the VPC's CIDR) on port ${port}: the event source mapping's poller, which runs in the cluster's subnets with the cluster's security groups, cannot reach the brokers` };
}

/**
 * The AWS services a function is presumed to call: those its role grants data-plane actions on,
 * and those whose endpoint variable it has. Sorted endpoint names.
 */
export function calledServices(fn: ResourceView, context: RuleContext): string[] {
  const services = new Set<string>();
  for (const action of roleActions(fn, context)) {
    const prefix = action.split(':')[0].toLowerCase();
    if (DATA_PLANE_SERVICES[prefix] !== undefined) services.add(DATA_PLANE_SERVICES[prefix]);
  }
  for (const name of Object.keys(environmentOf(fn))) {
    if (ENDPOINT_VARIABLES[name] !== undefined) services.add(ENDPOINT_VARIABLES[name]);
  }
  return [...services].sort();
}

/**
 * The cluster a function is a Kafka client of (from `KAFKA_CLUSTER_ARN`), with the port its
 * `KAFKA_AUTH` connects to; undefined for a function that is not a client of a cluster in view.
 */
export function kafkaClusterOf(fn: ResourceView, context: RuleContext): { cluster: ResourceView; port: number } | undefined {
  const env = environmentOf(fn);
  if (env[KafkaEnv.KAFKA_CLUSTER_ARN] === undefined) return undefined;
  const cluster = context.referenced(fn, env[KafkaEnv.KAFKA_CLUSTER_ARN]);
  if (!cluster || !isCluster(cluster)) return undefined;
  const declared = env[KafkaEnv.KAFKA_AUTH];
  const auth = typeof declared === 'string' ? declared : 'iam';
  const port = KAFKA_PORTS[auth];
  return port === undefined ? undefined : { cluster, port };
}

/** Whether a resource is an MSK cluster (provisioned or serverless). */
export function isCluster(resource: ResourceView): boolean {
  return resource.type === 'AWS::MSK::Cluster' || resource.type === 'AWS::MSK::ServerlessCluster';
}

/** Every action the function's execution role is granted by the inline policies of the templates. */
export function roleActions(fn: ResourceView, context: RuleContext): string[] {
  const role = context.referenced(fn, fn.properties.Role);
  if (!role) return [];
  const actions: string[] = [];
  for (const policy of context.resources('AWS::IAM::Policy')) {
    const roles: unknown[] = Array.isArray(policy.properties.Roles) ? policy.properties.Roles : [];
    if (!roles.some((r) => sameResource(context.referenced(policy, r), role))) continue;
    for (const statement of asList(policy.properties.PolicyDocument?.Statement)) {
      if (statement?.Effect !== 'Allow') continue;
      for (const action of asList(statement.Action)) if (typeof action === 'string') actions.push(action);
    }
  }
  return actions;
}

// --- reading the templates ---

interface SecurityGroupRule {
  readonly IpProtocol?: unknown;
  readonly FromPort?: unknown;
  readonly ToPort?: unknown;
  readonly CidrIp?: unknown;
  readonly SourceSecurityGroupId?: unknown;
  readonly DestinationSecurityGroupId?: unknown;
  readonly DestinationPrefixListId?: unknown;
  /** The resource that declares the rule (the group, or a separate ingress/egress resource). */
  readonly owner: ResourceView;
}

function clusterNetwork(cluster: ResourceView, context: RuleContext): { subnets?: ResourceView[]; groups?: ResourceView[] } {
  if (cluster.type === 'AWS::MSK::ServerlessCluster') {
    const config = asList(cluster.properties.VpcConfigs)[0];
    return { subnets: referencedList(cluster, config?.SubnetIds, context), groups: referencedList(cluster, config?.SecurityGroups, context) };
  }
  const info = cluster.properties.BrokerNodeGroupInfo ?? {};
  return { subnets: referencedList(cluster, info.ClientSubnets, context), groups: referencedList(cluster, info.SecurityGroups, context) };
}

function routeTableOf(subnet: ResourceView, context: RuleContext): ResourceView | undefined {
  const association = context.resources('AWS::EC2::SubnetRouteTableAssociation').find((a) => sameResource(context.referenced(a, a.properties.SubnetId), subnet));
  return association && context.referenced(association, association.properties.RouteTableId);
}

function routesOf(table: ResourceView, context: RuleContext): ResourceView[] {
  return context.resources('AWS::EC2::Route').filter((r) => sameResource(context.referenced(r, r.properties.RouteTableId), table));
}

function isDefaultRoute(route: ResourceView): boolean {
  return route.properties.DestinationCidrBlock === '0.0.0.0/0';
}

function ingressRules(group: ResourceView, context: RuleContext): SecurityGroupRule[] {
  return groupRules(group, context, 'SecurityGroupIngress', 'AWS::EC2::SecurityGroupIngress');
}

function egressRules(group: ResourceView, context: RuleContext): SecurityGroupRule[] {
  return groupRules(group, context, 'SecurityGroupEgress', 'AWS::EC2::SecurityGroupEgress');
}

function groupRules(group: ResourceView, context: RuleContext, inline: string, type: string): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = asList(group.properties[inline]).map((r) => ({ ...r, owner: group }));
  for (const r of context.resources(type)) {
    if (sameResource(context.referenced(r, r.properties.GroupId), group)) rules.push({ ...r.properties, owner: r });
  }
  return rules;
}

/** Whether a rule admits TCP on `port` (protocol -1 admits every port). */
function admitsPort(rule: SecurityGroupRule, port: number): boolean {
  const protocol = String(rule.IpProtocol ?? '');
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = Number(rule.FromPort);
  const to = Number(rule.ToPort);
  return from <= port && port <= to;
}

function admitsSource(rule: SecurityGroupRule, sources: ResourceView[], vpc: ResourceView | undefined, group: ResourceView, context: RuleContext): boolean {
  if (rule.SourceSecurityGroupId !== undefined) {
    const source = context.referenced(rule.owner, rule.SourceSecurityGroupId);
    return source === undefined || sources.some((s) => sameResource(s, source)) || (sameResource(source, group) && sources.some((s) => sameResource(s, group)));
  }
  return coversVpc(rule.CidrIp, rule.owner, vpc, context);
}

function admitsDestination(rule: SecurityGroupRule, destinations: ResourceView[], vpc: ResourceView | undefined, _group: ResourceView, context: RuleContext): boolean {
  if (rule.DestinationSecurityGroupId !== undefined) {
    const destination = context.referenced(rule.owner, rule.DestinationSecurityGroupId);
    return destination === undefined || destinations.some((d) => sameResource(d, destination));
  }
  return coversVpc(rule.CidrIp, rule.owner, vpc, context);
}

/** Whether a rule's CIDR covers the VPC's addresses: 0.0.0.0/0, the VPC's CidrBlock attribute, or a literal CIDR holding it. */
function coversVpc(cidr: unknown, owner: ResourceView, vpc: ResourceView | undefined, context: RuleContext): boolean {
  if (isAnywhere(cidr)) return true;
  if (cidr !== null && typeof cidr === 'object') {
    const target = context.referenced(owner, cidr);
    return target === undefined || sameResource(target, vpc); // out of view: presumed to
  }
  const vpcCidr = vpc?.properties.CidrBlock;
  return typeof cidr === 'string' && typeof vpcCidr === 'string' && cidrContains(cidr, vpcCidr);
}

function isAnywhere(cidr: unknown): boolean {
  return cidr === '0.0.0.0/0';
}

function cidrContains(outer: string, inner: string): boolean {
  const parse = (c: string): [number, number] | undefined => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c);
    if (!m) return undefined;
    return [((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0, +m[5]];
  };
  const o = parse(outer);
  const i = parse(inner);
  if (!o || !i || i[1] < o[1]) return false;
  const mask = o[1] === 0 ? 0 : (~0 << (32 - o[1])) >>> 0;
  return ((o[0] & mask) >>> 0) === ((i[0] & mask) >>> 0);
}

function endpointType(endpoint: ResourceView): string {
  return String(endpoint.properties.VpcEndpointType ?? 'Gateway');
}

/** The service an endpoint serves: the part of `com.amazonaws.<region>.<service>` after the region. */
function endpointService(endpoint: ResourceView): string | undefined {
  const name = flatten(endpoint.properties.ServiceName);
  const m = /^com\.amazonaws\.[^.]+\.(.+)$/.exec(name);
  return m?.[1];
}

/** A string value with its references replaced by `*` (enough to read a service name). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && Array.isArray((value as any)['Fn::Join'])) {
    const [separator, parts] = (value as any)['Fn::Join'];
    return asList(parts).map(flatten).join(String(separator));
  }
  return '*';
}

/** The resources a list of references designates; undefined when any is out of view. */
function referencedList(from: ResourceView, value: unknown, context: RuleContext): ResourceView[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const resources = value.map((v) => context.referenced(from, v));
  return resources.every((r): r is ResourceView => r !== undefined) ? resources : undefined;
}

function sameResource(a: ResourceView | undefined, b: ResourceView | undefined): boolean {
  return a !== undefined && b !== undefined && a.stack === b.stack && a.logicalId === b.logicalId;
}

function asList(value: unknown): any[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function describeResource(resource: ResourceView): string {
  return describe(resource).replace(/\/Resource$/, '');
}
