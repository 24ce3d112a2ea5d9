import { ConfigResourceTypes, ConfigSource, type Admin, type ITopicConfig } from 'kafkajs';

/** The properties of a `Custom::KafkaTopic` resource as CloudFormation sends them (numbers may arrive as strings). */
export interface TopicProperties {
  TopicName: string;
  NumPartitions: number | string;
  ReplicationFactor: number | string;
  Configs?: Record<string, string | number | boolean>;
}

/** A topic's desired state, validated. */
export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/**
 * A `Custom::KafkaTopic` request that cannot be applied: an invalid property, or a change Kafka
 * cannot make in place (fewer partitions, another replication factor). The provider fails the
 * CloudFormation operation with its message.
 */
export class TopicRequestError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TopicRequestError';
  }
}

function positive(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TopicRequestError(`${name} must be an integer >= 1, got ${JSON.stringify(value)}`);
  return n;
}

/** Parses and validates the resource properties. */
export function topicSpec(props: TopicProperties | undefined): TopicSpec {
  if (!props || typeof props.TopicName !== 'string' || props.TopicName.length === 0) {
    throw new TopicRequestError(`TopicName must be a non-empty string, got ${JSON.stringify(props?.TopicName)}`);
  }
  const configs: Record<string, string> = {};
  for (const [key, value] of Object.entries(props.Configs ?? {})) configs[key] = String(value);
  return {
    name: props.TopicName,
    partitions: positive(props.NumPartitions, 'NumPartitions'),
    replicationFactor: positive(props.ReplicationFactor, 'ReplicationFactor'),
    configs,
  };
}

const toEntries = (configs: Record<string, string>): ITopicConfig['configEntries'] =>
  Object.entries(configs).map(([name, value]) => ({ name, value }));

/** Creates the topic; an existing topic with the same name is adopted and brought to the spec. */
export async function createTopic(admin: Admin, spec: TopicSpec): Promise<void> {
  const existing = (await admin.listTopics()).includes(spec.name);
  if (existing) {
    await reconcile(admin, spec);
    return;
  }
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: spec.name, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor, configEntries: toEntries(spec.configs) }],
  });
}

async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  return meta.topics[0]?.partitions.length ?? 0;
}

/** Brings an existing topic to the spec: more partitions, new configs; refuses what Kafka cannot do in place. */
async function reconcile(admin: Admin, spec: TopicSpec, previous?: TopicSpec): Promise<void> {
  const current = await partitionCount(admin, spec.name);
  if (spec.partitions < current) {
    throw new TopicRequestError(`NumPartitions of topic ${spec.name} cannot decrease from ${current} to ${spec.partitions}: Kafka cannot remove partitions; create a new topic instead`);
  }
  if (previous && previous.replicationFactor !== spec.replicationFactor) {
    throw new TopicRequestError(`ReplicationFactor of topic ${spec.name} cannot change in place (from ${previous.replicationFactor} to ${spec.replicationFactor}); reassign partitions with Kafka tools or create a new topic`);
  }
  if (spec.partitions > current) {
    await admin.createPartitions({ topicPartitions: [{ topic: spec.name, count: spec.partitions }] });
  }
  const changedConfigs = !previous || JSON.stringify(sorted(previous.configs)) !== JSON.stringify(sorted(spec.configs));
  if (changedConfigs) {
    // A full (non-incremental) alter: configs removed from the spec return to the broker default.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: spec.name, configEntries: toEntries(spec.configs) ?? [] }],
    });
  }
}

function sorted(configs: Record<string, string>): Array<[string, string]> {
  return Object.entries(configs).sort(([a], [b]) => a.localeCompare(b));
}

/**
 * Updates the topic. A new name means a new topic (CloudFormation then deletes the old physical
 * resource unless it is retained); otherwise partitions grow and configs change in place.
 */
export async function updateTopic(admin: Admin, spec: TopicSpec, previous: TopicSpec): Promise<void> {
  if (spec.name !== previous.name) {
    await createTopic(admin, spec);
    return;
  }
  if (spec.partitions < previous.partitions) {
    throw new TopicRequestError(`NumPartitions of topic ${spec.name} cannot decrease from ${previous.partitions} to ${spec.partitions}: Kafka cannot remove partitions; create a new topic instead`);
  }
  await reconcile(admin, spec, previous);
}

/** Deletes the topic; a topic that is already gone is not an error. */
export async function deleteTopic(admin: Admin, name: string): Promise<void> {
  if (!(await admin.listTopics()).includes(name)) return;
  await admin.deleteTopics({ topics: [name] });
}

/** How long `awaitSpec` waits for the broker to report a change it accepted. */
const SPEC_VISIBLE_TIMEOUT_MS = 30_000;
const SPEC_POLL_MS = 200;

/**
 * Waits until the broker reports the topic at its spec (partitions, the topic's own configs).
 * Kafka accepts a config change or new partitions before every broker's metadata shows them, so
 * a resource that returned at once could be read back — by the mappings and functions
 * CloudFormation creates next — in its old state.
 */
export async function awaitSpec(admin: Admin, spec: TopicSpec, timeoutMs = SPEC_VISIBLE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const want = JSON.stringify(sorted(spec.configs));
  for (;;) {
    const now = await describeTopic(admin, spec.name);
    if (now.partitions >= spec.partitions && JSON.stringify(sorted(now.configs)) === want) return;
    if (Date.now() > deadline) {
      throw new Error(`topic ${spec.name} not at its spec ${timeoutMs} ms after the change: the broker reports ${now.partitions} partition(s) and configs ${JSON.stringify(now.configs)}, the spec is ${spec.partitions} and ${JSON.stringify(spec.configs)}`);
    }
    await new Promise((r) => setTimeout(r, SPEC_POLL_MS));
  }
}

/** Current state of a topic, for tests and diagnostics. */
export async function describeTopic(admin: Admin, name: string): Promise<{ partitions: number; configs: Record<string, string> }> {
  const partitions = await partitionCount(admin, name);
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name }] });
  const configs: Record<string, string> = {};
  for (const entry of described.resources[0]?.configEntries ?? []) {
    // Only the topic's own overrides: a broker-wide setting (min.insync.replicas on a small
    // cluster, say) also shows as non-default, but is not the topic's to keep or replace.
    if (entry.configSource === ConfigSource.TOPIC_CONFIG && entry.configValue !== null) configs[entry.configName] = entry.configValue;
  }
  return { partitions, configs };
}
