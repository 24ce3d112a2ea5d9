/**
 * The access-log variables of API Gateway HTTP APIs. REST APIs have others (`$context.resourcePath`,
 * `jsonWithStandardFields()`'s format): a stage whose format names one that HTTP APIs lack may be
 * refused or log nothing useful. The template checks (lib/checks) read this list.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const HTTP_API_LOG_VARIABLES: readonly string[] = [
  'accountId', 'apiId', 'authorizer.claims.property', 'authorizer.error', 'authorizer.principalId', 'authorizer.property',
  'awsEndpointRequestId', 'awsEndpointRequestId2', 'customDomain.basePathMatched', 'dataProcessed', 'domainName', 'domainPrefix',
  'error.message', 'error.messageString', 'error.responseType', 'extendedRequestId', 'httpMethod',
  'identity.accountId', 'identity.caller', 'identity.cognitoAuthenticationProvider', 'identity.cognitoAuthenticationType',
  'identity.cognitoIdentityId', 'identity.cognitoIdentityPoolId', 'identity.principalOrgId', 'identity.clientCert.clientCertPem',
  'identity.clientCert.subjectDN', 'identity.clientCert.issuerDN', 'identity.clientCert.serialNumber',
  'identity.clientCert.validity.notBefore', 'identity.clientCert.validity.notAfter', 'identity.sourceIp', 'identity.user',
  'identity.userAgent', 'identity.userArn', 'integration.error', 'integration.integrationStatus', 'integration.latency',
  'integration.requestId', 'integration.status', 'integrationErrorMessage', 'integrationLatency', 'integrationStatus', 'path',
  'protocol', 'requestId', 'requestTime', 'requestTimeEpoch', 'responseLatency', 'responseLength', 'routeKey', 'stage', 'status',
];

