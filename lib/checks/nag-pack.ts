import { CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { MSK_PIPELINES_RULES } from './registry';
import { ResourceView, Rule, RuleContext, viewContext } from './rule';

/** Properties of the `MskPipelinesChecks` pack. */
export interface MskPipelinesChecksProps extends NagPackProps {
  /**
   * The rules to run.
   * @default MSK_PIPELINES_RULES, every rule `msk-pipelines check` runs
   */
  readonly rules?: readonly Rule[];
}

/**
 * The project's checks as a cdk-nag pack: the same rule functions `msk-pipelines check` runs, on
 * each CfnResource of the app, with one stack and its nested stacks in view (a reference to
 * another stack is not followed; `check` sees the whole cloud assembly). Findings are
 * `MskPipelines-<RuleName>` and are acknowledged like any cdk-nag finding:
 *
 * ```ts
 * Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new MskPipelinesChecks(app));
 * Validations.of(route).acknowledge({ id: 'MskPipelines-WriteRouteAuthorized', reason: '…' });
 * ```
 */
export class MskPipelinesChecks extends NagPack {
  public readonly name = 'MskPipelines';
  private readonly rules: readonly Rule[];
  /** The rule context of each root stack, built once per validation. */
  private contexts = new Map<Stack, { context: RuleContext; views: Map<CfnResource, ResourceView> }>();

  constructor(scope?: IConstruct, props: MskPipelinesChecksProps = {}) {
    super(scope, props);
    this.packName = 'MskPipelines';
    this.rules = props.rules ?? MSK_PIPELINES_RULES;
  }

  public validateScope(scope: IConstruct) {
    this.contexts = new Map();
    return super.validateScope(scope);
  }

  protected checkResource(node: CfnResource): void {
    const rules = this.rules.filter((r) => r.resourceTypes.includes(node.cfnResourceType));
    if (rules.length === 0) return;
    const { context, views } = this.contextOf(node);
    const view = views.get(node);
    if (!view) return;
    for (const rule of rules) {
      this.applyRule({
        ruleSuffixOverride: rule.name,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.severity === 'error' ? NagMessageLevel.ERROR : NagMessageLevel.WARN,
        node,
        rule: () => (rule.check(view, context).length > 0 ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT),
      });
    }
  }

  private contextOf(node: CfnResource) {
    const root = rootStack(Stack.of(node));
    let entry = this.contexts.get(root);
    if (!entry) {
      const views = new Map<CfnResource, ResourceView>();
      for (const c of root.node.findAll()) {
        if (CfnResource.isCfnResource(c)) views.set(c, viewOf(c));
      }
      entry = { context: viewContext([...views.values()], 'stack'), views };
      this.contexts.set(root, entry);
    }
    return entry;
  }
}

function rootStack(stack: Stack): Stack {
  return NestedStack.isNestedStack(stack) ? rootStack(Stack.of(stack.node.scope!)) : stack;
}

/** The resource as its template will hold it (`Stack.resolve` of its CloudFormation, as cdk-nag's own rules resolve properties). */
function viewOf(resource: CfnResource): ResourceView {
  const stack = Stack.of(resource);
  const logicalId = String(stack.resolve(resource.logicalId));
  let entry: { Properties?: Record<string, any>; Metadata?: Record<string, unknown> } = {};
  try {
    const rendered = stack.resolve(resource._toCloudFormation()) as { Resources?: Record<string, typeof entry> };
    entry = Object.values(rendered.Resources ?? {})[0] ?? {};
  } catch {
    // An unresolvable value (a reference not yet wired between stacks): the rules see no properties.
  }
  return {
    stack: stack.node.path,
    logicalId,
    type: resource.cfnResourceType,
    properties: entry.Properties ?? {},
    metadata: entry.Metadata ?? {},
    path: resource.node.path,
  };
}
