import { functionNetwork, kafkaClusterOf } from '../network';
import type { ResourceView, Rule, RuleContext } from '../rule';

/**
 * A Kafka client function runs in its cluster's VPC, in a security group the cluster's security
 * groups admit on the broker port of its authentication.
 */
export const KafkaClientInClusterNetwork: Rule = {
  name: 'KafkaClientInClusterNetwork',
  info: 'The function uses Kafka from outside its cluster\'s network.',
  explanation: 'MSK brokers listen only inside the cluster\'s VPC, behind its security groups: a client elsewhere, or in a security group the cluster does not admit on the broker port, cannot connect. See https://docs.aws.amazon.com/msk/latest/developerguide/client-access.html and https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html',
  severity: 'error',
  resourceTypes: ['AWS::Lambda::Function'],
  check(fn: ResourceView, context: RuleContext): string[] {
    const client = kafkaClusterOf(fn, context);
    if (!client) return [];
    const reach = functionNetwork(fn, context).kafka(client.cluster, client.port);
    return reach.known && !reach.reachable ? [reach.reason] : [];
  },
};
