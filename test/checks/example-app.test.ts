import { App, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MSK_PIPELINES_RULES, runRules, templateViews, viewContext } from '../../lib/checks';
import { appOptionsFromContext, buildApp } from '../../lib/examples';

/** Every template the example app synthesizes in `context`'s cluster mode, nested stacks included, as one rule context. */
function appContext(context: Record<string, string>) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const { stacks } = buildApp(app, { ...appOptionsFromContext(app), nag: false });
  const all: Stack[] = stacks.flatMap((s) => [s, ...s.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)]);
  return viewContext(all.flatMap((s) => templateViews(s.node.path, Template.fromStack(s).toJSON())), 'assembly');
}

describe('the example app against the rules (lib/checks)', () => {
  test.each([
    ['provisioned', { clusterMode: 'provisioned' }],
    ['serverless', { clusterMode: 'serverless' }],
    ['provisioned with the simulated provider', { clusterMode: 'provisioned', simulatedProvider: 'true' }],
  ])('GIVEN a %s cluster THEN no template breaks a rule', (_mode, context) => {
    const found = runRules(appContext(context), MSK_PIPELINES_RULES).map((f) => `${f.stack} ${f.logicalId}: ${f.rule}: ${f.message}`);
    expect(found).toEqual([]);
  });

  test('GIVEN the demo flag openWriteRoutes THEN the rules do find the open routes (they run on every stack)', () => {
    const found = runRules(appContext({ clusterMode: 'provisioned', simulatedProvider: 'true', openWriteRoutes: 'true' }), MSK_PIPELINES_RULES).map((f) => f.message);
    expect(found.sort()).toEqual(['POST /orders has no authorization', 'POST /posts has no authorization']);
  });
});
