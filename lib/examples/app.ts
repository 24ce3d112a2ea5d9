import { App, Stack } from 'aws-cdk-lib';
import { ClusterKind } from '../cluster';
import { ClusterMode, ExistingClusterContext, FoundationStack } from './foundation-stack';
import { ForkJoinChainStack, NightlyChainStack } from './chain-stacks';
import { applyNag } from './nag';
import { postFanoutStacks } from './post-consumers-stack';
import { paymentStacks } from './payment-stack';

/** Options of the example app, usually read from cdk context (see `appOptionsFromContext`). */
export interface AppOptions {
  /**
   * Where the cluster comes from.
   * @default 'provisioned'
   */
  readonly clusterMode?: ClusterMode;
  /** The existing cluster, when `clusterMode` is 'existing'. @default - none: required with 'existing' only */
  readonly existing?: ExistingClusterContext;
  /**
   * Apply the cdk-nag packs.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * E-mail subscribed to the alarm topic (context `alarmEmail`).
   * @default - none
   */
  readonly alarmEmail?: string;
  /**
   * Open POST /posts and POST /orders to unauthenticated callers, for a demo (context `openWriteRoutes=true`).
   * @default false: IAM authorization
   */
  readonly openWriteRoutes?: boolean;
  /**
   * Deploy the simulated payment provider, a local-mode fixture (context `simulatedProvider=true`;
   * the local demo synthesizes with it on).
   * @default false
   */
  readonly simulatedProvider?: boolean;
  /**
   * A real payment provider's order API for the payment example (context `paymentProviderUrl`).
   * @default - none: without it or the simulated provider, only the gateway stack is deployed
   */
  readonly paymentProviderUrl?: string;
}

/** A pattern stack added on top of the foundation. */
export type PatternStackFactory = (app: App, foundation: FoundationStack, options: AppOptions) => Stack | Stack[] | void;

/**
 * The pattern stacks of the example app. Add one line per pattern:
 * `(app, f) => new MyStack(app, 'MskPipelines-My', { cluster: f.cluster })`.
 */
export const PATTERN_STACKS: PatternStackFactory[] = [
  (app, f) => [
    new NightlyChainStack(app, 'MskPipelines-NightlyChain', { cluster: f.cluster, alarmAction: f.alarmAction }),
    new ForkJoinChainStack(app, 'MskPipelines-ForkJoinChain', { cluster: f.cluster, alarmAction: f.alarmAction }),
  ],
  (app, f, o) => postFanoutStacks(app, f.cluster, { openRoute: o.openWriteRoutes, alarmAction: f.alarmAction }),
  (app, f, o) => paymentStacks(app, f.cluster, { simulatedProvider: o.simulatedProvider, providerUrl: o.paymentProviderUrl, openRoutes: o.openWriteRoutes, alarmAction: f.alarmAction }),
];

/** The stacks of the example app. */
export interface BuiltApp {
  readonly foundation: FoundationStack;
  readonly stacks: Stack[];
}

/** Builds the example app: the foundation stack, then every pattern stack. */
export function buildApp(app: App, options: AppOptions = {}): BuiltApp {
  const foundation = new FoundationStack(app, 'MskPipelines-Foundation', {
    clusterMode: options.clusterMode,
    existing: options.existing,
    alarmEmail: options.alarmEmail,
    // The simulated provider's notifier (in the VPC) calls the gateway's public URL.
    natGateways: options.simulatedProvider ? 1 : 0,
    description: 'MSK event pipelines: VPC, Kafka cluster, audit topic and consumer, alarm topic',
  });
  const stacks: Stack[] = [foundation];
  for (const factory of PATTERN_STACKS) {
    const made = factory(app, foundation, options);
    if (made) stacks.push(...(Array.isArray(made) ? made : [made]));
  }
  if (options.nag ?? true) applyNag(app);
  return { foundation, stacks };
}

const list = (value: unknown): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value.map(String) : String(value).split(',').map((s) => s.trim()).filter(Boolean);

/**
 * Reads the app options from cdk context: `alarmEmail`, `openWriteRoutes`, `simulatedProvider` (true | false),
 * `paymentProviderUrl`, `clusterMode` (provisioned | serverless | existing) and,
 * for 'existing', `clusterArn`, `vpcId`, `availabilityZones`, `privateSubnetIds`, `securityGroupId`
 * (lists comma-separated), optional `clusterKind` (provisioned | serverless), `kafkaVersion`, `brokerCount`.
 */
export function appOptionsFromContext(app: App): AppOptions {
  const ctx = (key: string): string | undefined => {
    const v = app.node.tryGetContext(key);
    return v === undefined || v === null || v === '' ? undefined : String(v);
  };
  const clusterMode = (ctx('clusterMode') ?? 'provisioned') as ClusterMode;
  const flag = (key: string) => ctx(key) === 'true';
  const common = {
    alarmEmail: ctx('alarmEmail'),
    openWriteRoutes: flag('openWriteRoutes'),
    simulatedProvider: flag('simulatedProvider'),
    paymentProviderUrl: ctx('paymentProviderUrl'),
  };
  if (clusterMode !== 'existing') return { clusterMode, ...common };
  const missing = ['clusterArn', 'vpcId', 'availabilityZones', 'privateSubnetIds', 'securityGroupId'].filter((k) => !ctx(k));
  if (missing.length > 0) {
    throw new Error(`clusterMode=existing needs context ${missing.join(', ')} (e.g. -c ${missing[0]}=...)`);
  }
  return {
    clusterMode,
    ...common,
    existing: {
      clusterArn: ctx('clusterArn')!,
      vpcId: ctx('vpcId')!,
      availabilityZones: list(app.node.tryGetContext('availabilityZones'))!,
      privateSubnetIds: list(app.node.tryGetContext('privateSubnetIds'))!,
      securityGroupId: ctx('securityGroupId')!,
      kind: ctx('clusterKind') === 'serverless' ? ClusterKind.SERVERLESS : ClusterKind.PROVISIONED,
      kafkaVersion: ctx('kafkaVersion'),
      brokerCount: ctx('brokerCount') ? Number(ctx('brokerCount')) : undefined,
    },
  };
}
