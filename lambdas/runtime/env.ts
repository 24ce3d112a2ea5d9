/**
 * Reading a function's environment: one helper per shape (required, optional, integer, list)
 * and one error wording, so that a missing or malformed variable names itself and who sets it.
 * Each function's variable names are constants shared with the construct that writes them
 * (`ConsumerEnv`, `ChainEnv`, `GatewayEnv`, the examples' `XxxEnv`).
 */

/** A function's environment (`process.env` in Lambda; a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable that is missing or malformed; the message names it and who sets it. */
export class EnvError extends Error {
  /** The variable at fault. */
  public readonly variable: string;

  constructor(variable: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EnvError';
    this.variable = variable;
  }
}

/**
 * The value of `name`; throws when it is unset or empty.
 * @param setBy who writes the variable, named in the error ("the TaskChain construct")
 */
export function required(env: Env, name: string, setBy = 'its construct'): string {
  const value = env[name];
  if (!value) throw new EnvError(name, `environment variable ${name} is not set (${setBy} sets it)`);
  return value;
}

/** The value of `name`, or undefined when it is unset or empty. */
export function optional(env: Env, name: string): string | undefined {
  return env[name] || undefined;
}

/** The whole number in `name`, at least `min`; `fallback` when it is unset or empty. */
export function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!isIntegerFrom(n, min)) throw new EnvError(name, `environment variable ${name} ${integerRule(min, raw)}`);
  return n;
}

/**
 * A whole-number setting that code may give (`given`) and the construct otherwise writes to the
 * variable `name`: the option wins; then the variable; then `fallback`. A bad option throws a
 * `RangeError` naming `option`, a bad variable an `EnvError` naming the variable, in one wording.
 */
export function integerSetting(given: number | undefined, env: Env, name: string, option: string, fallback: number, min = 0): number {
  return given === undefined ? integer(env, name, fallback, min) : integerOption(option, given, min);
}

/** `value`, when it is a whole number of at least `min`; else a `RangeError` naming `label`. */
export function integerOption(label: string, value: number, min = 0): number {
  if (!isIntegerFrom(value, min)) throw new RangeError(`${label} ${integerRule(min, value)}`);
  return value;
}

function isIntegerFrom(n: number, min: number): boolean {
  return Number.isInteger(n) && n >= min;
}

function integerRule(min: number, given: unknown): string {
  return `must be an integer >= ${min}, got ${JSON.stringify(given)}`;
}

/** The comma-separated values in `name`, trimmed, empty ones dropped; [] when it is unset. */
export function list(env: Env, name: string): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The client config that points an AWS SDK client at `AWS_ENDPOINT_URL_<service>` when it is
 * set (the emulator sets it for DynamoDB Local and its Secrets Manager stand-in), else `{}`:
 * the SDK's regional endpoint. Passed explicitly rather than left to the SDK so that it holds
 * whichever SDK version the Lambda runtime ships.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function serviceEndpoint(env: Env, service: 'DYNAMODB' | 'SECRETS_MANAGER'): { endpoint?: string } {
  const endpoint = optional(env, `AWS_ENDPOINT_URL_${service}`);
  return endpoint ? { endpoint } : {};
}
