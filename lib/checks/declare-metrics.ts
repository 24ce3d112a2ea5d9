import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EMITTED_METRICS_METADATA, EmittedMetric } from './emitted-metrics';

/**
 * Declares the custom metrics `fn`'s code emits, so that the `AlarmMetricEmitted` check (the cdk-nag
 * pack and `msk-pipelines check`) can tell an alarm that watches them from one that watches a
 * metric nobody writes. Call it for your own functions that write EMF lines (for example with
 * Powertools Metrics); the constructs of this library call it for theirs. Declarations add up.
 */
export function declareMetrics(fn: IConstruct, metrics: readonly EmittedMetric[]): void {
  const resource = CfnResource.isCfnResource(fn) ? fn : fn.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource) || resource.cfnResourceType !== 'AWS::Lambda::Function') {
    throw new Error(`declareMetrics: ${fn.node.path} is not a Lambda function (an AWS::Lambda::Function or a construct whose default child is one)`);
  }
  const existing = resource.getMetadata(EMITTED_METRICS_METADATA);
  const declared: EmittedMetric[] = Array.isArray(existing) ? [...existing] : [];
  for (const m of metrics) {
    const key = JSON.stringify(Stack.of(resource).resolve(m));
    if (!declared.some((d) => JSON.stringify(Stack.of(resource).resolve(d)) === key)) declared.push(m);
  }
  resource.addMetadata(EMITTED_METRICS_METADATA, declared);
}
