import { randomUUID } from 'node:crypto';

/**
 * A CloudEvents 1.0 event in structured JSON mode. Extension attributes sit at the top level.
 * @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md
 * @see https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md
 */
export interface CloudEvent<T = unknown> {
  /** CloudEvents `specversion`: always `1.0`, the only version this runtime reads and writes. */
  specversion: '1.0';
  /** CloudEvents `id`: unique per `source` (a random UUID unless given); consumers dedupe by it (`onceByEventId`). */
  id: string;
  /** CloudEvents `source`: URI-reference of the context that produced the event, e.g. `urn:shop` or `msk-pipelines/chain/<chain>`. */
  source: string;
  /** CloudEvents `type`: what happened, e.g. `order.placed` or `task.succeeded`; handlers and mapping filters route on it. */
  type: string;
  /** CloudEvents `time`: when it happened, an RFC 3339 timestamp (`createEvent` writes the creation time, ISO 8601 UTC). */
  time: string;
  /** CloudEvents `subject`: what the event is about within its source (e.g. an order number, `<runId>/<task>`); optional. */
  subject?: string;
  /** CloudEvents `datacontenttype`: always `application/json` (`decodeEvent` sets it when the value omits it). */
  datacontenttype: 'application/json';
  /** CloudEvents `data`: the payload, JSON-serialisable; its shape is given by `type`. */
  data: T;
  [extension: string]: unknown;
}

/** The value is not a CloudEvents 1.0 JSON event; `field` names the attribute at fault. */
export class InvalidEventError extends Error {
  constructor(
    /** What is wrong, in words (the message is `invalid CloudEvent: <reason>`). */
    readonly reason: string,
    /** The attribute at fault (`id`, `time`, an extension's name…), or `value` when the Kafka value is empty or not a JSON object. */
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(`invalid CloudEvent: ${reason}`, options);
    this.name = 'InvalidEventError';
  }
}

const CONTEXT_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'data', 'dataschema', 'data_base64']);
// CloudEvents 1.0 §3.1.1: attribute names are lower-case a-z / 0-9, at most 20 characters.
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;

/** What `createEvent` needs: the attributes the producer chooses; the rest are filled in. */
export interface CreateEventInit<T> {
  /** CloudEvents `type` (non-empty): what happened, e.g. `order.placed`. */
  type: string;
  /** CloudEvents `source` (non-empty): the producing context, e.g. `urn:shop`. */
  source: string;
  /** The payload (CloudEvents `data`), JSON-serialisable. */
  data: T;
  /**
   * CloudEvents `subject`: what the event is about within its source.
   * @default - none: the attribute is left out
   */
  subject?: string;
  /**
   * CloudEvents `id`; give a stable one when a retried publish must be recognised as the same event.
   * @default a random UUID
   */
  id?: string;
  /**
   * CloudEvents `time` (RFC 3339).
   * @default now, ISO 8601
   */
  time?: string;
  /** Extension attributes such as chain, runid, task, attempt. */
  extensions?: Record<string, string | number | boolean>;
}

/**
 * Builds a CloudEvents 1.0 event (`specversion` 1.0, `datacontenttype` application/json) from
 * `init`, with a random `id` and the current `time` unless given, and validates it.
 * @throws InvalidEventError when `type` or `source` is empty, or an extension's name or value is not allowed
 */
export function createEvent<T>(init: CreateEventInit<T>): CloudEvent<T> {
  for (const field of ['type', 'source'] as const) {
    if (typeof init[field] !== 'string' || init[field] === '') throw new InvalidEventError(`${field} must be a non-empty string`, field);
  }
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    source: init.source,
    type: init.type,
    time: init.time ?? new Date().toISOString(),
    datacontenttype: 'application/json',
    data: init.data,
  };
  if (init.subject !== undefined) event.subject = init.subject;
  for (const [name, value] of Object.entries(init.extensions ?? {})) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new InvalidEventError(`extension name ${JSON.stringify(name)} must be 1-20 lower-case letters or digits`, name);
    }
    if (CONTEXT_ATTRIBUTES.has(name)) throw new InvalidEventError(`extension ${name} would overwrite a context attribute`, name);
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw new InvalidEventError(`extension ${name} must be a string, number or boolean`, name);
    }
    event[name] = value;
  }
  validate(event);
  return event;
}

export function encodeEvent(event: CloudEvent): Buffer {
  return Buffer.from(JSON.stringify(event), 'utf8');
}

function validate(event: Record<string, unknown>): void {
  if (event.specversion !== '1.0') {
    throw new InvalidEventError(`specversion must be "1.0", got ${JSON.stringify(event.specversion)}`, 'specversion');
  }
  for (const field of ['id', 'source', 'type'] as const) {
    if (typeof event[field] !== 'string' || event[field] === '') {
      throw new InvalidEventError(`${field} must be a non-empty string`, field);
    }
  }
  if (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time))) {
    throw new InvalidEventError('time must be an RFC 3339 timestamp string', 'time');
  }
  if (event.subject !== undefined && typeof event.subject !== 'string') {
    throw new InvalidEventError('subject must be a string when present', 'subject');
  }
  if (event.datacontenttype !== undefined && event.datacontenttype !== 'application/json') {
    throw new InvalidEventError(`datacontenttype must be "application/json", got ${JSON.stringify(event.datacontenttype)}`, 'datacontenttype');
  }
  if (!('data' in event)) throw new InvalidEventError('data is missing', 'data');
}

/** Parses and validates a structured-mode CloudEvent from a Kafka value. */
export function decodeEvent<T = unknown>(value: Buffer | string | null | undefined): CloudEvent<T> {
  if (value === null || value === undefined) throw new InvalidEventError('value is empty (tombstone or missing)', 'value');
  const text = typeof value === 'string' ? value : value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`value is not JSON (${(err as Error).message})`, 'value', { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidEventError('value is not a JSON object', 'value');
  }
  const event = parsed as Record<string, unknown>;
  validate(event);
  // Absent datacontenttype means JSON for structured mode; normalise so consumers see one shape.
  event.datacontenttype = 'application/json';
  return event as CloudEvent<T>;
}
