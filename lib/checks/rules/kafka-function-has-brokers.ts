import type { ResourceView, Rule } from '../rule';
import { environmentOf } from '../private/resources';
import { KafkaEnv } from '../../../lambdas/runtime/kafka-env';

/**
 * A function given `KAFKA_CLUSTER_ARN` also gets `KAFKA_BOOTSTRAP_SERVERS`: without brokers the
 * runtime asks the MSK API at run time, which the default network cannot reach.
 */
export const KafkaFunctionHasBrokers: Rule = {
  name: 'KafkaFunctionHasBrokers',
  info: 'The function has KAFKA_CLUSTER_ARN but no KAFKA_BOOTSTRAP_SERVERS in its environment.',
  explanation: 'Without brokers the runtime asks the MSK API (GetBootstrapBrokers) at run time, which isolated subnets without a NAT or an MSK API endpoint cannot reach: the function hangs until its timeout. The constructs set the brokers from a deploy-time lookup (connectionEnvironment()). See https://docs.aws.amazon.com/msk/latest/developerguide/privatelink-vpc-endpoints.html',
  severity: 'error',
  resourceTypes: ['AWS::Lambda::Function'],
  check(fn: ResourceView): string[] {
    const env = environmentOf(fn);
    return env[KafkaEnv.KAFKA_CLUSTER_ARN] !== undefined && env[KafkaEnv.KAFKA_BOOTSTRAP_SERVERS] === undefined
      ? ['KAFKA_CLUSTER_ARN without KAFKA_BOOTSTRAP_SERVERS: the function would call the MSK API for brokers at run time']
      : [];
  },
};
