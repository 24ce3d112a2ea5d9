/**
 * Powertools for AWS Lambda's own variables, which the constructs set and the runtime and the
 * local tools read.
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/environment-variables/
 */
export const PowertoolsEnv = {
  /** The service name in every log line and metric dimension: the consumer's or function's name. */
  POWERTOOLS_SERVICE_NAME: 'POWERTOOLS_SERVICE_NAME',
  /** The CloudWatch namespace of the runtime's metrics. */
  POWERTOOLS_METRICS_NAMESPACE: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;
