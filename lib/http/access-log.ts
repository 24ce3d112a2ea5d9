import * as apigw from 'aws-cdk-lib/aws-apigateway';
export { HTTP_API_LOG_VARIABLES } from './log-variables';

/**
 * One JSON access-log line per request with HTTP API variables only: what the three example APIs
 * (posts, payments, callback gateway) log.
 */
export function httpApiAccessLogFormat(): apigw.AccessLogFormat {
  return apigw.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    caller: '$context.identity.userArn',
  }));
}
