import { PolicyViolation } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { MskPipelinesChecks } from '../../lib/checks/nag-pack';

/** The unacknowledged findings of the three packs under `scope` (for tests). */
export function nagFindings(scope: IConstruct): PolicyViolation[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks(), new MskPipelinesChecks()].flatMap((pack) => [...pack.validateScope(scope).violations]);
}

/** One line per finding and resource, for readable test failures. */
export function describeFindings(findings: PolicyViolation[]): string[] {
  return findings.flatMap((f) => f.violatingResources.map((r) => `${f.ruleName} ${r.resourceLogicalId} (${r.templatePath}): ${f.description.slice(0, 100)}`));
}
