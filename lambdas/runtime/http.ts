import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** An HTTP API (payload 2.0) answer with a JSON body. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The text of a request body as API Gateway hands it over (base64 for binary media types), '' when absent. */
export function bodyText(body: string | undefined | null, isBase64Encoded = false): string {
  if (body === undefined || body === null) return '';
  return isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}
