/**
 * The checks' rule interface: each rule is a small pure function over one resource of a
 * synthesized template, with a context that lets it look at the other resources it may relate
 * to. Nothing here imports aws-cdk-lib, so the cdk-nag pack (`MskPipelinesChecks`, one stack and
 * its nested stacks in view) and `msk-pipelines check` (the whole cloud assembly in view) run the
 * very same rules.
 */

/** A resource as a rule sees it: its template entry, references left as CloudFormation wrote them. */
export interface ResourceView {
  /** The stack that declares it (a nested stack's name includes its parent's). */
  readonly stack: string;
  /** The resource's logical id in that stack's template. */
  readonly logicalId: string;
  /** The CloudFormation type, e.g. `AWS::Lambda::EventSourceMapping`. */
  readonly type: string;
  /** The template's `Properties` (empty object when there are none). */
  readonly properties: Record<string, any>;
  /** The template's `Metadata` (empty object when there is none). */
  readonly metadata: Record<string, unknown>;
  /** Construct path (`aws:cdk:path`), when the template or the construct tree has it. */
  readonly path?: string;
}

/**
 * How much of the app a rule sees: `stack` is what cdk-nag hands a pack (one stack and its nested
 * stacks); `assembly` is every template of the cloud assembly (`msk-pipelines check`), so a
 * reference to another stack can be followed.
 */
export type RuleExtent = 'stack' | 'assembly';

/** What a rule may look at besides the resource it checks. */
export interface RuleContext {
  /** How much of the app is in view: one stack (the nag pack) or the whole assembly (`msk-pipelines check`). */
  readonly extent: RuleExtent;
  /** The resources in view, of `type` when given. */
  resources(type?: string): readonly ResourceView[];
  /**
   * The resource `value` designates from `from`'s template (`Ref`, `Fn::GetAtt`, and in the assembly
   * extent also `Fn::ImportValue` and a nested stack's parameter); undefined when it is out of view
   * or not a reference.
   */
  referenced(from: ResourceView, value: unknown): ResourceView | undefined;
  /**
   * The bundled code of a function (its handler file), when the cloud assembly holds it; undefined
   * in the nag pack, where bundles may not exist yet (or are skipped in tests).
   */
  functionCode?(fn: ResourceView): string | undefined;
}

/** `error` fails `check` (and the nag pack at synth); `warning` is reported only. */
export type Severity = 'error' | 'warning';

/** A named rule: what it reports (`info`), why it matters (`explanation`), and the check itself. */
export interface Rule {
  /** PascalCase, unique; the cdk-nag id is `MskPipelines-<name>`. */
  readonly name: string;
  /** What is wrong with a resource the rule reports, in one sentence (what cdk-nag prints). */
  readonly info: string;
  /** Why it matters (what breaks on AWS), with the governing AWS page. */
  readonly explanation: string;
  /** Whether its findings fail the check (`error`) or are only reported (`warning`). */
  readonly severity: Severity;
  /** The resource types `check` is called for. */
  readonly resourceTypes: readonly string[];
  /** One message per thing wrong with `resource`; empty when it complies (or the rule cannot tell). */
  check(resource: ResourceView, context: RuleContext): string[];
}

/** One thing wrong with one resource. */
export interface Finding {
  /** Name of the rule that reported it (`Rule.name`). */
  readonly rule: string;
  /** The rule's severity: `error` fails the check, `warning` is reported only. */
  readonly severity: Severity;
  /** The stack that declares the resource (a nested stack's name includes its parent's). */
  readonly stack: string;
  /** Logical id of the resource in that stack's template. */
  readonly logicalId: string;
  /** Construct path of the resource (`aws:cdk:path`), when known. */
  readonly path?: string;
  /** What is wrong with this resource: one of the messages the rule's `check` returned. */
  readonly message: string;
  /** Why it matters, with the governing AWS page (the rule's `explanation`). */
  readonly explanation: string;
}

/** Runs `rules` over every resource in `context`'s view. */
export function runRules(context: RuleContext, rules: readonly Rule[]): Finding[] {
  const findings: Finding[] = [];
  for (const resource of context.resources()) {
    for (const rule of rules) {
      if (!rule.resourceTypes.includes(resource.type)) continue;
      for (const message of rule.check(resource, context)) {
        findings.push({
          rule: rule.name,
          severity: rule.severity,
          stack: resource.stack,
          logicalId: resource.logicalId,
          path: resource.path,
          message,
          explanation: rule.explanation,
        });
      }
    }
  }
  return findings;
}

/** The part of a CloudFormation template the rules read. */
export interface TemplateLike {
  /** The template's `Resources` section, by logical id: type, properties and metadata of each. */
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: any; readonly Metadata?: Record<string, unknown> }>;
}

/** The resources of one template, as views. */
export function templateViews(stack: string, template: TemplateLike): ResourceView[] {
  return Object.entries(template.Resources ?? {}).map(([logicalId, r]) => ({
    stack,
    logicalId,
    type: r.Type,
    properties: r.Properties ?? {},
    metadata: r.Metadata ?? {},
    path: typeof r.Metadata?.['aws:cdk:path'] === 'string' ? r.Metadata['aws:cdk:path'] : undefined,
  }));
}

/** A context over plain views: references followed within a stack (`Ref`, `Fn::GetAtt`). */
export function viewContext(views: readonly ResourceView[], extent: RuleExtent = 'stack'): RuleContext {
  const byKey = new Map(views.map((v) => [`${v.stack}\u0000${v.logicalId}`, v]));
  return {
    extent,
    resources: (type) => (type === undefined ? views : views.filter((v) => v.type === type)),
    referenced: (from, value) => {
      const id = referencedLogicalId(value);
      return id === undefined ? undefined : byKey.get(`${from.stack}\u0000${id}`);
    },
  };
}

/** Runs `rules` over one template (a stack's references only). */
export function checkTemplate(template: TemplateLike, rules: readonly Rule[], stack = 'Stack'): Finding[] {
  return runRules(viewContext(templateViews(stack, template)), rules);
}

/** The logical id a same-template `Ref` or `Fn::GetAtt` names. */
export function referencedLogicalId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}
