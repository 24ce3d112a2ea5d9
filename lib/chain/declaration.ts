/**
 * The pure part of a task chain: what a user declares, and the checks that run at synth so a
 * broken chain never reaches CloudFormation. Nothing here loads aws-cdk-lib (one type import,
 * erased at compile time), so the command line and the function runtime can use it too.
 */

import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { rangeViolation } from '../core/range';

/** Task names end up in consumer group ids, filter values, DynamoDB keys and construct ids. */
export const TASK_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
/** Chain names end up in the topic name (`chain.<name>.events`) and metric dimensions. */
export const CHAIN_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
/** Run ids are Kafka keys and DynamoDB key parts; the business date `2026-11-24` is the default. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** An EventBridge Scheduler schedule with the time zone it is read in. */
export interface ChainSchedule {
  /** `cron(minutes hours day-of-month month day-of-week year)` or `rate(value unit)`. */
  readonly expression: string;
  /**
   * IANA time zone the cron expression and the business date (run id) are read in.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/** When the final tasks of a scheduled run must have succeeded. */
export interface ChainDeadline {
  /** `cron(...)` at which the deadline check runs, read in `timeZone`. */
  readonly expression: string;
  /**
   * IANA time zone of the expression and of the run id the check looks at.
   * @default the schedule's time zone, else 'UTC'
   */
  readonly timeZone?: string;
  /**
   * Days between the run id (business date) and the day the check runs: 1 when a run that
   * starts at 23:00 must be done by 06:00 the next day.
   * @default 0
   */
  readonly runDateOffsetDays?: number;
}

/** One task of a chain: a function that runs once all of `dependsOn` succeeded for the same run id. */
export interface TaskDeclaration {
  /** Unique in the chain; lower-case letters, digits and '-', starting with a letter, ≤ 63 characters. */
  readonly name: string;
  /** Path of the TypeScript file exporting `handler = defineTask(...)`. */
  readonly entry: string;
  /**
   * Tasks that must have succeeded for the same run before this one starts.
   * @default [] (a root task: starts on run.requested)
   */
  readonly dependsOn?: string[];
  /**
   * Seconds one invocation may take (all attempts and backoff included), 1..900.
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /**
   * Attempts of the task function per start before task.failed is published, 1..10.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Extra environment for the task function.
   * @default {}
   */
  readonly environment?: Record<string, string>;
  /**
   * esbuild options for this task's bundle, merged over the chain's `bundling` and the
   * project's defaults.
   * @default - the chain's bundling
   */
  readonly bundling?: BundlingOptions;
}

/** A whole chain as declared in TypeScript. */
export interface ChainDeclaration {
  /** Lower-case letters, digits and '-', starting with a letter, ≤ 40 characters. */
  readonly name: string;
  /** The tasks; order does not matter. */
  readonly tasks: TaskDeclaration[];
  /**
   * Starts a run (run id = business date in the schedule's time zone) on this schedule.
   * @default no schedule: runs start from the command line or any publisher of run.requested
   */
  readonly schedule?: ChainSchedule;
  /**
   * Alarm when the final tasks of a run have not all succeeded by then.
   * @default no deadline
   */
  readonly deadline?: ChainDeadline;
}

/** The declaration is invalid; `task` names the task at fault when there is one. */
export class ChainDeclarationError extends Error {
  constructor(
    message: string,
    /** The task at fault, when the error is about one task; absent for chain-wide errors. */
    readonly task?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ChainDeclarationError';
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Extra single tokens the field accepts, e.g. `L` or `LW`. */
  special?: RegExp;
}

const CRON_FIELDS: CronField[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(L|LW|L-\d{1,2}|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$|^L$/ },
  { name: 'year', min: 1970, max: 2199 },
];

function cronValue(token: string, field: CronField): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

function checkCronField(token: string, field: CronField): string | undefined {
  if (token === '*') return undefined;
  if (field.special?.test(token.toUpperCase())) {
    const n = /^(\d+)W$/.exec(token) ?? /^L-(\d+)$/.exec(token);
    if (n && (Number(n[1]) < 1 || Number(n[1]) > 31)) return `${field.name} "${token}" is out of range`;
    return undefined;
  }
  for (const part of token.split(',')) {
    const m = /^([^/-]+|\*)(?:-([^/]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return `${field.name} "${part}" is not a value, range, list or increment`;
    const [, from, to, step] = m;
    const values = [from === '*' ? field.min : cronValue(from, field), to === undefined ? undefined : cronValue(to, field)];
    if (values[0] === undefined || (to !== undefined && values[1] === undefined)) return `${field.name} "${part}" is not a valid value`;
    for (const v of values) {
      if (v !== undefined && (v < field.min || v > field.max)) return `${field.name} value ${v} is outside ${field.min}-${field.max}`;
    }
    if (step !== undefined && Number(step) === 0) return `${field.name} increment must be at least 1`;
  }
  return undefined;
}

/**
 * Checks an EventBridge Scheduler expression: `cron(m h dom mon dow year)` with exactly one of
 * day-of-month and day-of-week set to `?`, or `rate(n minute|minutes|hour|hours|day|days)`.
 * Returns the reason it is invalid, or undefined.
 */
export function scheduleExpressionError(expression: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) return 'rate value must be at least 1';
    if ((n === 1) !== !rate[2].endsWith('s')) return `rate unit must be ${n === 1 ? 'singular' : 'plural'} for ${n}`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return 'must be cron(minutes hours day-of-month month day-of-week year) or rate(value unit)';
  const tokens = cron[1].trim().split(/\s+/);
  if (tokens.length !== 6) return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${tokens.length}`;
  const [dom, dow] = [tokens[2], tokens[4]];
  if ((dom === '?') === (dow === '?')) return 'exactly one of day-of-month and day-of-week must be "?"';
  for (let i = 0; i < 6; i++) {
    if (tokens[i] === '?' && (i === 2 || i === 4)) continue;
    const error = checkCronField(tokens[i], CRON_FIELDS[i]);
    if (error) return error;
  }
  return undefined;
}

/** True when the runtime knows the IANA time zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function checkSchedule(what: string, expression: string, timeZone: string | undefined): void {
  const error = scheduleExpressionError(expression);
  if (error) throw new ChainDeclarationError(`${what} "${expression}" is invalid: ${error}`);
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) {
    throw new ChainDeclarationError(`${what} time zone "${timeZone}" is not an IANA time zone (e.g. "Asia/Shanghai")`);
  }
}

function findCycle(tasks: TaskDeclaration[]): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.name, t.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of deps.get(name) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const task of tasks) {
    const cycle = visit(task.name);
    // The walk follows dependsOn (downstream → upstream); print the cycle in run order.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

// Declarations are plain data (no tokens): the pure rule underneath validate.ts suffices.
function checkRange(task: string, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  const violation = rangeViolation(prop, value, { min, max, words: `an integer in ${min}..${max}` });
  if (violation) throw new ChainDeclarationError(`task "${task}": ${violation}`, task);
}

/**
 * Throws a ChainDeclarationError naming the chain or task at fault: invalid names, duplicate
 * task, self dependency, unknown dependency, cycle (with its path), invalid schedule or deadline.
 */
export function validateChain(chain: ChainDeclaration): void {
  if (!CHAIN_NAME_PATTERN.test(chain.name)) {
    throw new ChainDeclarationError(`chain name "${chain.name}" is invalid: it must match ${CHAIN_NAME_PATTERN}`);
  }
  if (chain.tasks.length === 0) throw new ChainDeclarationError(`chain "${chain.name}" has no tasks`);
  const seen = new Set<string>();
  for (const task of chain.tasks) {
    if (!TASK_NAME_PATTERN.test(task.name)) {
      throw new ChainDeclarationError(
        `task name "${task.name}" is invalid: it must match ${TASK_NAME_PATTERN} (it becomes part of consumer group ids and filters)`,
        task.name,
      );
    }
    if (seen.has(task.name)) throw new ChainDeclarationError(`task "${task.name}" is declared twice in chain "${chain.name}"`, task.name);
    seen.add(task.name);
    if (!task.entry) throw new ChainDeclarationError(`task "${task.name}": entry is required`, task.name);
    checkRange(task.name, 'timeoutSeconds', task.timeoutSeconds, 1, 900);
    checkRange(task.name, 'maxAttempts', task.maxAttempts, 1, 10);
  }
  for (const task of chain.tasks) {
    const deps = task.dependsOn ?? [];
    if (new Set(deps).size !== deps.length) {
      throw new ChainDeclarationError(`task "${task.name}" lists a dependency twice: ${deps.join(', ')}`, task.name);
    }
    for (const dep of deps) {
      if (dep === task.name) throw new ChainDeclarationError(`task "${task.name}" depends on itself`, task.name);
      if (!seen.has(dep)) {
        throw new ChainDeclarationError(`task "${task.name}" depends on unknown task "${dep}" (known: ${[...seen].join(', ')})`, task.name);
      }
    }
  }
  const cycle = findCycle(chain.tasks);
  if (cycle) throw new ChainDeclarationError(`chain "${chain.name}" has a cycle: ${cycle.join(' → ')}`, cycle[0]);
  if (chain.schedule) checkSchedule(`chain "${chain.name}" schedule`, chain.schedule.expression, chain.schedule.timeZone);
  if (chain.deadline) {
    if (!chain.deadline.expression.startsWith('cron(')) {
      throw new ChainDeclarationError(`chain "${chain.name}" deadline "${chain.deadline.expression}" must be a cron(...) expression`);
    }
    checkSchedule(`chain "${chain.name}" deadline`, chain.deadline.expression, chain.deadline.timeZone);
    const offset = chain.deadline.runDateOffsetDays;
    const violation = offset === undefined ? undefined : rangeViolation('runDateOffsetDays', offset, { min: 0, max: 7, words: 'an integer in 0..7' });
    if (violation) throw new ChainDeclarationError(`chain "${chain.name}" deadline ${violation}`);
  }
}

/** Throws unless `runId` can be a Kafka key and a DynamoDB key part. */
export function validateRunId(runId: string): void {
  if (!RUN_ID_PATTERN.test(runId)) {
    throw new ChainDeclarationError(`run id "${runId}" is invalid: it must match ${RUN_ID_PATTERN} (e.g. the business date 2026-11-24)`);
  }
}
