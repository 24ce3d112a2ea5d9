/**
 * Lambda event filtering (the EventBridge-style pattern syntax of `FilterCriteria`), applied
 * as an event source mapping does for Kafka: each record is matched with `value` replaced by
 * its parsed JSON, or by the plain string when the value is not JSON. Filters are OR'ed; the
 * fields of one pattern are AND'ed; a list of rules on one field is OR'ed.
 */

/** Does any of the filter patterns match the record? No filters: everything matches. */
export function matchesAny(patterns: readonly unknown[], event: unknown): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => matchesPattern(p, event));
}

/** One pattern (an object) against an event. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new Error(`Filter pattern must be a JSON object, got ${JSON.stringify(pattern)}`);
  }
  const obj = isPlainObject(event) ? event : {};
  for (const [key, rule] of Object.entries(pattern as Record<string, unknown>)) {
    if (key === '$or') {
      if (!Array.isArray(rule)) throw new Error(`Filter pattern: "$or" must be a list of patterns, got ${JSON.stringify(rule)}`);
      if (!rule.some((p) => matchesPattern(p, obj))) return false;
      continue;
    }
    const value = (obj as Record<string, unknown>)[key];
    if (Array.isArray(rule)) {
      if (!matchesField(rule, value)) return false;
    } else if (isPlainObject(rule)) {
      // A nested pattern only applies to an object (or to nothing, for `exists: false`).
      if (value !== undefined && !isPlainObject(value)) return false;
      if (!matchesPattern(rule, value ?? {})) return false;
    } else {
      throw new Error(`Filter pattern: field "${key}" must be a list of rules or a nested pattern, got ${JSON.stringify(rule)}`);
    }
  }
  return true;
}

function matchesField(rules: unknown[], value: unknown): boolean {
  // `exists` looks at the field itself; every other rule at each of its leaf values.
  return rules.some((rule) => {
    if (isPlainObject(rule) && 'exists' in rule) {
      return rule.exists === true ? value !== undefined && !isPlainObject(value) : value === undefined;
    }
    if (value === undefined) return false;
    const leaves = Array.isArray(value) ? value : [value];
    return leaves.some((leaf) => matchesRule(rule, leaf));
  });
}

function matchesRule(rule: unknown, value: unknown): boolean {
  if (rule === null) return value === null;
  if (typeof rule === 'number') return typeof value === 'number' && value === rule;
  if (typeof rule === 'string' || typeof rule === 'boolean') return value === rule;
  if (!isPlainObject(rule)) throw new Error(`Filter rule not understood: ${JSON.stringify(rule)}`);
  const [op, arg] = Object.entries(rule)[0] ?? [];
  switch (op) {
    case 'prefix':
      return typeof value === 'string' && stringOp(arg, value, (v, s) => v.startsWith(s));
    case 'suffix':
      return typeof value === 'string' && stringOp(arg, value, (v, s) => v.endsWith(s));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof arg === 'string' && value.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof arg === 'string' && wildcard(arg).test(value);
    case 'anything-but':
      return anythingBut(arg, value);
    case 'numeric':
      return typeof value === 'number' && numeric(arg, value);
    case 'cidr':
      return typeof value === 'string' && typeof arg === 'string' && cidr(arg, value);
    default:
      throw new Error(`Filter rule operator not supported: ${JSON.stringify(rule)}`);
  }
}

function stringOp(arg: unknown, value: string, test: (v: string, s: string) => boolean): boolean {
  if (typeof arg === 'string') return test(value, arg);
  if (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), String(arg['equals-ignore-case']).toLowerCase());
  }
  throw new Error(`Filter rule: prefix/suffix takes a string or {"equals-ignore-case": string}, got ${JSON.stringify(arg)}`);
}

function anythingBut(arg: unknown, value: unknown): boolean {
  if (Array.isArray(arg)) return !arg.some((a) => matchesRule(a, value));
  if (isPlainObject(arg)) return !matchesRule(arg, value);
  return !matchesRule(arg, value);
}

function numeric(arg: unknown, value: number): boolean {
  if (!Array.isArray(arg) || arg.length % 2 !== 0) throw new Error(`Filter rule: numeric takes [op, n, ...], got ${JSON.stringify(arg)}`);
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = Number(arg[i + 1]);
    const ok = op === '=' ? value === n
      : op === '<' ? value < n
        : op === '<=' ? value <= n
          : op === '>' ? value > n
            : op === '>=' ? value >= n
              : (() => { throw new Error(`Filter rule: numeric operator ${JSON.stringify(op)} not one of =, <, <=, >, >=`); })();
    if (!ok) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  const body = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

function cidr(range: string, ip: string): boolean {
  const [base, bitsText] = range.split('/');
  const toInt = (s: string) => s.split('.').reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const bits = Number(bitsText ?? 32);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(base) & mask) === (toInt(ip) & mask);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The object a Kafka mapping filters on: record metadata plus `value` parsed from JSON, or the
 * plain string when the value is not JSON (so only plain-string patterns can match it).
 */
export function filterView(record: { topic: string; partition: number; offset: number; timestamp: number }, value: unknown): Record<string, unknown> {
  return { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, value };
}
