/**
 * Values a log entry carries beside its message: what it is about (mapping, topic, partition,
 * offset, function) and what went wrong (error). Undefined fields are left out.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** How much a log entry matters: `warn` when work is redone or left undone, `error` when lost. */
export type LogLevel = 'info' | 'warn' | 'error';

/** One line of the emulator's own log, before it is rendered as text. */
export interface LogEntry {
  readonly level: LogLevel;
  /** Which part of the emulator wrote it: `emulator`, `alarm`. */
  readonly namespace: string;
  /** A fixed sentence (no values in it), so that entries can be counted and filtered. */
  readonly message: string;
  readonly fields: LogFields;
}

/**
 * The emulator's structured logger, after kafkajs's (`logger.namespace('Runner')`,
 * `logger.warn(message, { groupId, error })`): a fixed message plus fields, handed to one sink.
 * The sink renders an entry as text for people (`renderLogEntry`) and passes it on whole to code
 * that filters by field.
 */
export class EmulatorLogger {
  constructor(private readonly sink: (entry: LogEntry) => void, private readonly namespace = 'emulator', private readonly base: LogFields = {}) {}

  /** A logger whose entries carry `fields` as well (e.g. `{ mapping }` for one mapping's runner). */
  with(fields: LogFields): EmulatorLogger {
    return new EmulatorLogger(this.sink, this.namespace, { ...this.base, ...fields });
  }

  /** A logger for another part of the emulator, into the same sink. */
  child(namespace: string): EmulatorLogger {
    return new EmulatorLogger(this.sink, namespace, this.base);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields: LogFields = {}): void {
    const all: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries({ ...this.base, ...fields })) if (value !== undefined) all[key] = value;
    this.sink({ level, namespace: this.namespace, message, fields: all });
  }
}

/** `error`'s field value: `<name>: <message>`, as the terminal shows a thrown error. */
export function errorField(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * An entry as one line of text: `[<namespace>] <message> key=value …`, values with spaces or
 * quotes JSON-quoted so that the line splits back into its fields.
 */
export function renderLogEntry(entry: LogEntry): string {
  const fields = Object.entries(entry.fields).map(([key, value]) => `${key}=${renderValue(value)}`);
  const level = entry.level === 'info' ? '' : ` ${entry.level.toUpperCase()}`;
  return [`[${entry.namespace}]${level} ${entry.message}`, ...fields].join(' ');
}

function renderValue(value: string | number | boolean | undefined): string {
  const text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}
