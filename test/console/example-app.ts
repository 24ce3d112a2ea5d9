import { App } from 'aws-cdk-lib';
import { ForkJoinChainStack, NightlyChainStack } from '../../lib/examples/chain-stacks';
import { FoundationStack } from '../../lib/examples/foundation-stack';
import { paymentStacks } from '../../lib/examples/payment-stack';
import { PostConsumersStack } from '../../lib/examples/post-consumers-stack';
import { PostPublisherStack } from '../../lib/examples/post-publisher-stack';

/** Post ids the real-estate consumer of `buildBuggyExampleApp` rejects: its bug. */
export const POISON_PREFIX = 'poison-';

/**
 * The example app as `buildApp` builds it (same stacks, names and functions), with one bug: the
 * real-estate consumer rejects posts whose id starts with POISON_PREFIX (the consumers stack's
 * fault-injection prop, set through REJECT_POST_ID_PREFIX). cdk-nag is left out: it changes no
 * resource and costs a minute on a loaded machine.
 */
export function buildBuggyExampleApp(app: App): void {
  // One NAT gateway, as buildApp gives the simulated provider's notifier (its route to the gateway's public URL).
  const foundation = new FoundationStack(app, 'MskPipelines-Foundation', { natGateways: 1 });
  const cluster = foundation.cluster;
  new NightlyChainStack(app, 'MskPipelines-NightlyChain', { cluster });
  new ForkJoinChainStack(app, 'MskPipelines-ForkJoinChain', { cluster });
  const publisher = new PostPublisherStack(app, 'MskPipelines-PostPublisher', { cluster });
  const consumers = new PostConsumersStack(app, 'MskPipelines-PostConsumers', { cluster, realEstateRejectsPostIdPrefix: POISON_PREFIX });
  consumers.addStackDependency(publisher);
  // The simulated provider is a local-mode fixture, off by default on AWS (as local mode synthesizes it).
  paymentStacks(app, cluster, { simulatedProvider: true });
}

/** The fix, as a redeploy would bring it: the consumers' template without the reject prefix. */
export function withoutRejectPrefix(template: { Resources: Record<string, { Type: string; Properties?: any }> }): number {
  let fixed = 0;
  for (const r of Object.values(template.Resources)) {
    const vars = r.Type === 'AWS::Lambda::Function' ? r.Properties?.Environment?.Variables : undefined;
    if (vars && 'REJECT_POST_ID_PREFIX' in vars) {
      delete vars.REJECT_POST_ID_PREFIX;
      fixed++;
    }
  }
  return fixed;
}
