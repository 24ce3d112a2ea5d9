import { calledServices, functionNetwork } from '../network';
import type { ResourceView, Rule, RuleContext } from '../rule';

/**
 * A function can reach every AWS service it calls: one its role grants data-plane actions on, or
 * whose endpoint variable it has. In a VPC that takes an endpoint of the service (gateway on the
 * subnets' route tables, or interface with private DNS, admitting the function on 443) or a NAT
 * gateway route in every subnet of the function.
 */
export const FunctionServiceReachable: Rule = {
  name: 'FunctionServiceReachable',
  info: 'The function calls an AWS service that its subnets cannot reach.',
  explanation: 'A function in a VPC has no public IP: it reaches an AWS service only through a VPC endpoint of that service or a NAT gateway. Without either, each call hangs until the function times out. See https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html and https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html',
  severity: 'error',
  resourceTypes: ['AWS::Lambda::Function'],
  check(fn: ResourceView, context: RuleContext): string[] {
    const network = functionNetwork(fn, context);
    return calledServices(fn, context)
      .map((service) => network.service(service))
      .filter((reach) => reach.known && !reach.reachable)
      .map((reach) => reach.reason);
  },
};
