import type { FunctionRole } from '../iam';

/**
 * Whether any Allow statement of `role` names `action` (its `Action`, with IAM's `*` and `?`
 * wildcards, case-insensitive), or could (a `NotAction` statement). Without one, IAM can only deny:
 * the ACL derivation skips the evaluation, which costs tens of milliseconds per resource on a
 * loaded machine, for the many `kafka-cluster:*` actions a role never mentions. Not a decision:
 * every action that passes is decided by the evaluator.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */
export function mayAllow(role: FunctionRole, action: string): boolean {
  return role.policies.some((policy) => statementsOf(policy.document).some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    if (statement.NotAction !== undefined) return true;
    return listOf(statement.Action).some((pattern) => matches(pattern, action));
  }));
}

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  const statements = (document as { Statement?: unknown } | undefined)?.Statement;
  return (Array.isArray(statements) ? statements : statements ? [statements] : []) as Statement[];
}

function listOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, 'i');
  return regex.test(action);
}
