import type { ResourceView, Rule } from '../rule';

/** Route metadata that marks a route as authenticated by its provider's signature in the function. */
export const SIGNATURE_VERIFIED_METADATA = 'msk-pipelines:authorization';
/** The value of SIGNATURE_VERIFIED_METADATA on such routes. */
export const SIGNATURE_VERIFIED = 'provider-signature';

/** Write routes open to anyone. */
export const WriteRouteAuthorized: Rule = {
  name: 'WriteRouteAuthorized',
  info: 'The HTTP API write route (POST, PUT, PATCH, DELETE or ANY) has no authorizer and is not marked as verified by its provider\'s signature.',
  explanation: 'An unauthenticated write route lets anyone publish events. Callback routes cannot take IAM or JWT credentials from a third party; they verify the provider\'s signature in the function instead, and say so in their metadata. See https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html',
  severity: 'error',
  resourceTypes: ['AWS::ApiGatewayV2::Route'],
  check(route: ResourceView): string[] {
    const p = route.properties;
    if (!/^(POST|PUT|PATCH|DELETE|ANY) /.test(String(p.RouteKey))) return [];
    if (p.AuthorizationType !== undefined && p.AuthorizationType !== 'NONE') return [];
    if (route.metadata[SIGNATURE_VERIFIED_METADATA] === SIGNATURE_VERIFIED) return [];
    return [`${p.RouteKey} has no authorization`];
  },
};
