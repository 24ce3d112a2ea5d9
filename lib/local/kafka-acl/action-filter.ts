import type { FunctionRole } from '../iam';

/**
 * Whether any Allow statement of `role` names `action` (its `Action`, with IAM's `*` and `?`
 * wildcards, case-insensitive) and, when given, `resource` (its `Resource`, wildcards,
 * case-sensitive), or could (a `NotAction` / `NotResource` statement). Without one, IAM can only
 * deny: the ACL derivation skips the evaluation, which costs tens of milliseconds per resource on
 * a loaded machine, for the many (action, resource) pairs a role never mentions. Not a decision:
 * every pair that passes is decided by the evaluator (conditions, Deny statements).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export function mayAllow(role: FunctionRole, action: string, resource?: string): boolean {
  return role.policies.some((policy) => statementsOf(policy.document).some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const actionNamed = statement.NotAction !== undefined || listOf(statement.Action).some((pattern) => matches(pattern, action, 'i'));
    if (!actionNamed || resource === undefined) return actionNamed;
    // A policy variable (`${aws:…}`) is resolved at request time: such a pattern may match.
    return statement.NotResource !== undefined || listOf(statement.Resource).some((pattern) => pattern.includes('${') || matches(pattern, resource, ''));
  }));
}

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []) as Statement[];
}

function listOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function matches(pattern: string, value: string, flags: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, flags);
  return regex.test(value);
}
