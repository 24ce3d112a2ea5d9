import { IConstruct } from 'constructs';
import { App, PolicyViolation, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { MskPipelinesChecks } from '../checks/nag-pack';

/**
 * Runs the AWS Solutions and Serverless cdk-nag packs and the project's own checks
 * (`MskPipelinesChecks`) at synthesis; any unacknowledged finding fails synth.
 */
export function applyNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new MskPipelinesChecks(app));
}

/** The unacknowledged findings of the three packs under `scope` (for tests). */
export function nagFindings(scope: IConstruct): PolicyViolation[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks(), new MskPipelinesChecks()].flatMap((pack) => [...pack.validateScope(scope).violations]);
}

/** One line per finding and resource, for readable test failures. */
export function describeFindings(findings: PolicyViolation[]): string[] {
  return findings.flatMap((f) => f.violatingResources.map((r) => `${f.ruleName} ${r.resourceLogicalId} (${r.templatePath}): ${f.description.slice(0, 100)}`));
}
