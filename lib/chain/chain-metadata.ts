import type { ChainDeclaration, ChainDeadline, ChainSchedule } from './declaration';

/**
 * A chain's declaration as `TaskChain` records it in the template, in the `Metadata` attribute
 * of its join table, so tools find every chain of an app in its cloud assembly (`cdk.out`) and
 * of a deployed stack (CloudFormation `GetTemplate`) without the app's code. Nothing here
 * imports aws-cdk-lib: the command line reads it.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-metadata.html
 */
export const CHAIN_METADATA_KEY = 'msk-pipelines:chain';

/** Version of the recorded shape; a reader refuses a version it does not know. */
export const CHAIN_METADATA_VERSION = 1;

/** What `TaskChain` records about itself. */
export interface ChainMetadata {
  /** Version of this shape (`CHAIN_METADATA_VERSION` when written); a reader refuses one it does not know. */
  readonly version: number;
  /** The declaration; each task's `entry` relative to the directory the app was synthesized in. */
  readonly chain: ChainDeclaration;
  /** The chain's topic. */
  readonly topicName: string;
  /** Logical id of the stack output holding the join table's name (a deployed stack's DescribeStacks has it). */
  readonly joinTableOutput: string;
}

/** A chain found in a template: its metadata, and the logical id of its join table. */
export interface RecordedChain extends ChainMetadata {
  /** Logical id of the join table resource (`AWS::DynamoDB::Table`) whose `Metadata` holds the chain. */
  readonly joinTableLogicalId: string;
}

/** The chain's recorded shape: the declaration without local absolute paths or functions' environments. */
export function chainMetadata(chain: ChainDeclaration, topicName: string, joinTableOutput: string, relativeEntry: (entry: string) => string): ChainMetadata {
  const schedule: ChainSchedule | undefined = chain.schedule && { expression: chain.schedule.expression, timeZone: chain.schedule.timeZone };
  const deadline: ChainDeadline | undefined = chain.deadline && { expression: chain.deadline.expression, timeZone: chain.deadline.timeZone, runDateOffsetDays: chain.deadline.runDateOffsetDays };
  return {
    version: CHAIN_METADATA_VERSION,
    chain: {
      name: chain.name,
      tasks: chain.tasks.map((t) => ({ name: t.name, entry: relativeEntry(t.entry), dependsOn: t.dependsOn ?? [], timeoutSeconds: t.timeoutSeconds, maxAttempts: t.maxAttempts })),
      ...(schedule ? { schedule } : {}),
      ...(deadline ? { deadline } : {}),
    },
    topicName,
    joinTableOutput,
  };
}

/** Every chain recorded in a CloudFormation template (parsed JSON). */
export function chainsInTemplate(template: { Resources?: Record<string, { Metadata?: Record<string, unknown> }> }, where: string): RecordedChain[] {
  const found: RecordedChain[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const recorded = resource.Metadata?.[CHAIN_METADATA_KEY] as ChainMetadata | undefined;
    if (!recorded) continue;
    if (recorded.version !== CHAIN_METADATA_VERSION) {
      throw new Error(`${where}: ${logicalId} records a chain in metadata version ${recorded.version}; this command line reads version ${CHAIN_METADATA_VERSION} (upgrade msk-event-pipelines)`);
    }
    found.push({ ...recorded, joinTableLogicalId: logicalId });
  }
  return found;
}
