import type { Message } from 'kafkajs';
import { encodeEvent, type CloudEvent } from './cloudevents';

/**
 * The Kafka header that marks a record as a CloudEvent in structured content mode. A receiver
 * that does not find it reads the record in binary mode (attributes in `ce_*` headers), which is
 * not what this project writes: every producer of the project sets it through `eventMessage`.
 * @see https://github.com/cloudevents/spec/blob/main/cloudevents/bindings/kafka-protocol-binding.md#33-structured-content-mode
 */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/** How an event becomes a Kafka record. */
export interface EventMessageOptions {
  /**
   * Kafka key (the entity whose order must hold), or how to derive it per event.
   * @default event.subject ?? event.id
   */
  readonly key?: string | ((event: CloudEvent) => string);
  /**
   * Extra headers on the record (`content-type` is the binding's own and cannot be set).
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The one way the project turns a CloudEvent into a Kafka record: the event as structured JSON
 * in the value, `content-type: application/cloudevents+json`, the key, extra headers. The
 * runtime's `publish`, the command line's `publish` and the chain client all build records here.
 */
export function eventMessage(event: CloudEvent, options: EventMessageOptions = {}): Message {
  for (const name of Object.keys(options.headers ?? {})) {
    if (name.toLowerCase() === 'content-type') {
      throw new Error(`headers may not set '${name}': it is ${CLOUDEVENTS_CONTENT_TYPE}, which marks the record as a structured-mode CloudEvent`);
    }
  }
  const key = typeof options.key === 'function' ? options.key(event) : options.key ?? event.subject ?? event.id;
  return {
    key,
    value: encodeEvent(event),
    headers: { ...options.headers, 'content-type': CLOUDEVENTS_CONTENT_TYPE },
  };
}
