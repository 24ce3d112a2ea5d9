import type { Resolver, ResolverStack } from '../emulator/resolve';
import { LOCAL_ACCOUNT } from '../emulator/model';
import { awsManagedPolicy, awsManagedPolicyPath, PolicyDocument } from './aws-managed-policies';

/** One identity-based policy of a role, resolved to local ARNs. */
export interface RolePolicy {
  /** Where it comes from: `inline <PolicyName>`, `<stack>/<logical id>` of a policy resource, or the managed policy's ARN. */
  readonly name: string;
  readonly document: PolicyDocument;
}

/** A function's execution role, as the assembly defines it. */
export interface FunctionRole {
  /** The function's physical name (as the emulator names it). */
  readonly functionName: string;
  /** The role's name (`RoleName`, else `<stack>-<logical id>` as CloudFormation generates one, minus its suffix). */
  readonly roleName: string;
  /** Every identity-based policy attached to the role. */
  readonly policies: readonly RolePolicy[];
}

/** The roles of an assembly's functions, and the functions whose role the assembly does not define. */
export interface AssemblyRoles {
  /** By function name. */
  readonly roles: ReadonlyMap<string, FunctionRole>;
  /**
   * Functions whose `Role` is an ARN the assembly does not create (an imported role), with the ARN:
   * its policies are not in the templates, so no decision can be made for them.
   */
  readonly external: ReadonlyMap<string, string>;
  /** What could not be read and was left out (a customer-managed policy ARN the assembly does not create). */
  readonly warnings: readonly string[];
}

/** Policy resource types that attach to roles through a `Roles` list. */
const ATTACHED_POLICY_TYPES = new Set(['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']);

/**
 * Reads each function's role and the policies attached to it: the role's inline `Policies`,
 * `AWS::IAM::Policy` / `AWS::IAM::ManagedPolicy` whose `Roles` reference it, `AWS::IAM::RolePolicy`
 * naming it, and its `ManagedPolicyArns` (a managed policy of the assembly, or an AWS-managed one
 * from lib/local/iam/aws-managed-policies.ts). Every intrinsic resolves through `resolver`, so ARNs
 * are the emulator's local ones. Pure: templates in, roles out.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-policy.html
 */
export function assemblyRoles(stacks: readonly ResolverStack[], resolver: Resolver): AssemblyRoles {
  const roleKey = (stack: ResolverStack, logicalId: string) => `${stack.name}\u0000${logicalId}`;
  const roleNames = new Map<string, string>();
  const roleByName = new Map<string, string>();
  const attached = new Map<string, RolePolicy[]>();
  const managedByKey = new Map<string, RolePolicy>();
  const managedByArn = new Map<string, RolePolicy>();
  const warnings: string[] = [];

  for (const stack of stacks) {
    for (const [id, res] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (res?.Type === 'AWS::IAM::Role') {
        const name = roleNameOf(resolver, stack, id);
        roleNames.set(roleKey(stack, id), name);
        roleByName.set(name, roleKey(stack, id));
      } else if (res?.Type === 'AWS::IAM::ManagedPolicy') {
        const props = res.Properties ?? {};
        const name = props.ManagedPolicyName !== undefined ? resolver.resolveString(stack, props.ManagedPolicyName) : `${stack.name}-${id}`;
        const policy = { name: `${stack.name}/${id}`, document: resolver.resolve(stack, props.PolicyDocument) };
        managedByKey.set(roleKey(stack, id), policy);
        managedByArn.set(`arn:aws:iam::${LOCAL_ACCOUNT}:policy${resolvePath(resolver, stack, props.Path)}${name}`, policy);
      }
    }
  }
  /** The role key a `Roles` element or `RoleName` designates: a reference to a role of the assembly, else its name. */
  const roleOf = (stack: ResolverStack, value: unknown): string | undefined => {
    const target = resolver.resourceOf(stack, value);
    if (target && resolver.typeOf(target.stack, target.logicalId) === 'AWS::IAM::Role') return roleKey(target.stack, target.logicalId);
    return roleByName.get(resolver.resolveString(stack, value));
  };
  const attach = (key: string | undefined, policy: RolePolicy) => {
    if (key !== undefined) attached.set(key, [...(attached.get(key) ?? []), policy]);
  };
  for (const stack of stacks) {
    for (const [id, res] of Object.entries<any>(stack.template.Resources ?? {})) {
      const props = res?.Properties ?? {};
      if (ATTACHED_POLICY_TYPES.has(res?.Type)) {
        const policy = res.Type === 'AWS::IAM::ManagedPolicy'
          ? managedByKey.get(roleKey(stack, id))!
          : { name: `${stack.name}/${id}`, document: resolver.resolve(stack, props.PolicyDocument) };
        for (const role of asList(props.Roles)) attach(roleOf(stack, role), policy);
      } else if (res?.Type === 'AWS::IAM::RolePolicy') {
        attach(roleOf(stack, props.RoleName), { name: `${stack.name}/${id}`, document: resolver.resolve(stack, props.PolicyDocument) });
      }
    }
  }

  const roles = new Map<string, FunctionRole>();
  const external = new Map<string, string>();
  for (const stack of stacks) {
    for (const [id, res] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (res?.Type !== 'AWS::Lambda::Function') continue;
      const functionName = resolver.physicalName(stack, id);
      const target = resolver.resourceOf(stack, res.Properties?.Role);
      if (!target || resolver.typeOf(target.stack, target.logicalId) !== 'AWS::IAM::Role') {
        external.set(functionName, resolver.resolveString(stack, res.Properties?.Role));
        continue;
      }
      const key = roleKey(target.stack, target.logicalId);
      const roleName = roleNames.get(key)!;
      const roleProps = target.stack.template.Resources[target.logicalId].Properties ?? {};
      const policies: RolePolicy[] = [];
      for (const inline of asList(resolver.resolve(target.stack, roleProps.Policies))) {
        policies.push({ name: `inline ${String((inline as any)?.PolicyName)}`, document: (inline as any)?.PolicyDocument });
      }
      for (const ref of asList(roleProps.ManagedPolicyArns)) {
        const managed = resolver.resourceOf(target.stack, ref);
        const fromAssembly = managed && managedByKey.get(roleKey(managed.stack, managed.logicalId));
        if (fromAssembly) {
          policies.push(fromAssembly);
          continue;
        }
        const arn = resolver.resolveString(target.stack, ref);
        if (awsManagedPolicyPath(arn) !== undefined) policies.push({ name: arn, document: awsManagedPolicy(arn, roleName) });
        else if (managedByArn.has(arn)) policies.push(managedByArn.get(arn)!);
        else warnings.push(`Role ${roleName} attaches ${arn}, a managed policy the assembly does not create: local mode cannot read it and grants nothing from it`);
      }
      policies.push(...(attached.get(key) ?? []));
      roles.set(functionName, { functionName, roleName, policies });
    }
  }
  return { roles, external, warnings };
}

/** A role's name: `RoleName`, else what CloudFormation generates (`<stack>-<logical id>-<suffix>`) without the suffix. */
function roleNameOf(resolver: Resolver, stack: ResolverStack, logicalId: string): string {
  const props = stack.template.Resources[logicalId].Properties ?? {};
  return props.RoleName !== undefined ? resolver.resolveString(stack, props.RoleName) : `${stack.name}-${logicalId}`;
}

/** A managed policy's `Path` (default `/`). */
function resolvePath(resolver: Resolver, stack: ResolverStack, value: unknown): string {
  return value === undefined ? '/' : resolver.resolveString(stack, value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
