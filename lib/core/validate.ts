import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NumberRule, rangeViolation } from './range';

export type { NumberRule } from './range';

/**
 * A construct prop that breaks a rule. The message starts with the construct's path, so that in
 * an app of many stacks the user finds the construct at fault (as aws-cdk's internal
 * `ValidationError(message, scope)` does).
 */
export class ValidationError extends Error {
  /** The path of the construct whose props are at fault. */
  public readonly constructPath: string;

  constructor(scope: IConstruct, message: string, options?: ErrorOptions) {
    super(`${scope.node.path}: ${message}`, options);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
  }
}

/**
 * Throws unless `value` keeps `rule`. Skips an undefined value and an unresolved token (a
 * `CfnParameter`'s `valueAsNumber` is a huge negative number until deploy time; CloudFormation
 * or the service checks it then), as aws-sqs's `validateRange` does.
 */
export function validateNumber(scope: IConstruct, prop: string, value: number | undefined, rule: NumberRule): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const violation = rangeViolation(prop, value, rule);
  if (violation) throw new ValidationError(scope, violation);
}

/** `validateNumber` for an integer from `min` to `max`. */
export function validateInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number, unit?: string): void {
  validateNumber(scope, prop, value, { min, max, unit });
}

/**
 * Throws unless `value` (a string) matches `pattern`; `rule` says the rule in words ("1-100
 * characters of [a-zA-Z0-9._-]"). Skips undefined and unresolved values.
 */
export function validatePattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
  const violation = patternViolation(prop, value, pattern, rule);
  if (violation) throw new ValidationError(scope, violation);
}

/**
 * The message for a string that does not match `pattern`, or undefined when it matches, is
 * undefined or is an unresolved token: for options validated before there is a scope (a static
 * factory's options), which throw it as they are.
 */
export function patternViolation(prop: string, value: string | undefined, pattern: RegExp, rule: string): string | undefined {
  if (value === undefined || Token.isUnresolved(value) || pattern.test(value)) return undefined;
  return `${prop} must be ${rule}, got '${value}'`;
}

/**
 * Throws unless `value` keeps a rule on durations: whole seconds (if `wholeSeconds`) up to
 * `maxSeconds`. The value is printed as the user wrote it ("5 minutes 1 second", "500 millis").
 * Skips undefined and unresolved durations.
 */
export function validateDuration(
  scope: IConstruct,
  prop: string,
  value: Duration | undefined,
  rule: {
    readonly minSeconds?: number;
    readonly maxSeconds: number;
    readonly wholeSeconds?: boolean;
    /** 'seconds' prints the value as "7200 s"; 'human' as the user wrote it, "2 hours". */
    readonly print?: 'human' | 'seconds';
  },
): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  const min = rule.minSeconds ?? 0;
  const whole = rule.wholeSeconds ?? false;
  if (ms < min * 1000 || ms > rule.maxSeconds * 1000 || (whole && ms % 1000 !== 0)) {
    const words = `${whole ? 'whole seconds ' : ''}from ${min} to ${rule.maxSeconds}`;
    const given = rule.print === 'seconds' ? `${ms / 1000} s` : value.toHumanString();
    throw new ValidationError(scope, `${prop} must be ${words}, got ${given}`);
  }
}

/** Throws a ValidationError with `message` when `condition` is false; for rules that are not ranges. */
export function validate(scope: IConstruct, condition: boolean, message: string): void {
  if (!condition) throw new ValidationError(scope, message);
}

/**
 * Throws when `value` is an unresolved token although the construct needs its value at synth
 * time (it decides which resources exist, or feeds arithmetic CloudFormation cannot do); `why`
 * says what the value decides.
 */
export function validateLiteral(scope: IConstruct, prop: string, value: number | Duration | undefined, why: string): void {
  if (value === undefined) return;
  const unresolved = typeof value === 'number' ? Token.isUnresolved(value) : value.isUnresolved();
  if (unresolved) throw new ValidationError(scope, `${prop} must be a literal value (${why}), got a token`);
}
