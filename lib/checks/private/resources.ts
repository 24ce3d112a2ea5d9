import type { ResourceView } from '../rule';

/** Whether an event source mapping reads Kafka (Amazon MSK or self-managed), not SQS, Kinesis or DynamoDB. */
export function isKafkaMapping(p: Record<string, any>): boolean {
  if (p.AmazonManagedKafkaEventSourceConfig !== undefined || p.SelfManagedEventSource !== undefined || p.SelfManagedKafkaEventSourceConfig !== undefined) return true;
  // An MSK mapping without the config block: the source is a cluster ARN (or a reference to one), and it names topics.
  return Array.isArray(p.Topics) && /kafka/i.test(JSON.stringify(p.EventSourceArn ?? ''));
}

/** A function's environment variables (references left as written). */
export function environmentOf(fn: ResourceView): Record<string, unknown> {
  return fn.properties.Environment?.Variables ?? {};
}

/** How a message names a resource: its construct path when known, else stack/logical id. */
export function describe(resource: ResourceView): string {
  return resource.path ?? `${resource.stack}/${resource.logicalId}`;
}
