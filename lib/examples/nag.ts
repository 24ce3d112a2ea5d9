import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { MskPipelinesChecks } from '../checks/nag-pack';

/**
 * Runs the AWS Solutions and Serverless cdk-nag packs and the project's own checks
 * (`MskPipelinesChecks`) at synthesis; any unacknowledged finding fails synth.
 */
export function applyNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new MskPipelinesChecks(app));
}
