/**
 * Template checks: pure functions over one synthesized CloudFormation template (resource types and
 * properties), with no dependency on aws-cdk-lib or a test runner, so that a cdk-nag pack and a
 * `check` command can run the same rules.
 */

/** The part of a CloudFormation template the rules read. */
export interface TemplateLike {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: any; readonly Metadata?: Record<string, unknown> }>;
}

/** One resource that breaks a rule. */
export interface Finding {
  readonly rule: string;
  readonly logicalId: string;
  readonly message: string;
}

/** A named rule: what it checks (`info`), why (`explanation`), and the check itself. */
export interface TemplateRule {
  readonly name: string;
  readonly info: string;
  readonly explanation: string;
  check(template: TemplateLike): Finding[];
}

/** The resources of `type` in a template, as [logical id, properties]. */
export function resourcesOf(template: TemplateLike, type: string): Array<[string, any, Record<string, unknown> | undefined]> {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}, r.Metadata]);
}

/** Runs `rules` over `template`. */
export function checkTemplate(template: TemplateLike, rules: readonly TemplateRule[]): Finding[] {
  return rules.flatMap((rule) => rule.check(template));
}
