/**
 * The pure half of prop validation: whether a number keeps a rule, and the rule in words.
 * No aws-cdk-lib import, so pure modules (`lib/chain/declaration.ts`) share it with the
 * token-aware `validate.ts`.
 */

/** A numeric rule: bounds, and whether only whole numbers are allowed. */
export interface NumberRule {
  /**
   * Smallest allowed value.
   * @default - no lower bound
   */
  readonly min?: number;
  /**
   * Largest allowed value.
   * @default - no upper bound
   */
  readonly max?: number;
  /**
   * Only whole numbers are allowed.
   * @default true - every count, size and limit the constructs take is whole
   */
  readonly integer?: boolean;
  /**
   * The unit the bounds and the value are written in ("MB", "days", "s").
   * @default - none
   */
  readonly unit?: string;
  /**
   * How a whole number of this prop is called in the message.
   * @default 'an integer'
   */
  readonly wholeNoun?: string;
  /**
   * The rule in words, when the bounds alone do not say it ("a positive integer").
   * @default - built from the bounds: "an integer from 1 to 10000"
   */
  readonly words?: string;
}

/** The rule in words, e.g. "an integer from 1 to 10000", "from 1 to 365 days", "an integer >= 1". */
export function describeRule(rule: NumberRule): string {
  if (rule.words) return rule.words;
  const whole = rule.integer ?? true ? `${rule.wholeNoun ?? 'an integer'} ` : '';
  const unit = rule.unit ? ` ${rule.unit}` : '';
  if (rule.min !== undefined && rule.max !== undefined) return `${whole}from ${rule.min} to ${rule.max}${unit}`;
  if (rule.min !== undefined) return `${whole}>= ${rule.min}${unit}`;
  if (rule.max !== undefined) return `${whole}<= ${rule.max}${unit}`;
  return whole.trim() || 'a number';
}

/** True when `value` keeps `rule` (a finite number within the bounds, whole if asked). */
export function keepsRule(value: number, rule: NumberRule): boolean {
  if (!Number.isFinite(value)) return false;
  if ((rule.integer ?? true) && !Number.isInteger(value)) return false;
  if (rule.min !== undefined && value < rule.min) return false;
  if (rule.max !== undefined && value > rule.max) return false;
  return true;
}

/**
 * The violation message for `prop` (without a location), or undefined when the value keeps the
 * rule: "batchSize must be an integer from 1 to 10000, got 0".
 */
export function rangeViolation(prop: string, value: number, rule: NumberRule): string | undefined {
  if (keepsRule(value, rule)) return undefined;
  return `${prop} must be ${describeRule(rule)}, got ${value}${rule.unit ? ` ${rule.unit}` : ''}`;
}
