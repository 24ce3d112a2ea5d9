import { HTTP_API_LOG_VARIABLES } from '../../http/log-variables';
import type { ResourceView, Rule } from '../rule';

/** HTTP API stages whose access-log format names a variable HTTP APIs do not have. */
export const HttpApiAccessLogVariables: Rule = {
  name: 'HttpApiAccessLogVariables',
  info: 'The HTTP API stage\'s access-log format uses a $context variable that HTTP APIs do not have.',
  explanation: 'HTTP APIs have their own list of access-log variables; REST-only ones such as $context.resourcePath (in jsonWithStandardFields()) are not in it, so the stage is refused or logs nothing useful. See https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html',
  severity: 'error',
  resourceTypes: ['AWS::ApiGatewayV2::Stage'],
  check(stage: ResourceView): string[] {
    const known = new Set(HTTP_API_LOG_VARIABLES);
    const format = JSON.stringify(stage.properties.AccessLogSettings?.Format ?? '');
    const used = [...format.matchAll(/\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])/g)].map((m) => m[1]);
    return [...new Set(used)].filter((v) => !known.has(v)).map((v) => `access-log format uses $context.${v}, which HTTP APIs do not have`);
  },
};
