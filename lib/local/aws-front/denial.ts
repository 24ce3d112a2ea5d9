import type { FrontService } from './service-calls';

/** An HTTP answer the front writes itself. */
export interface FrontAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * AWS's answer to a call IAM denies, per service (JSON protocols):
 * - DynamoDB: 400, `__type` `com.amazon.coral.service#AccessDeniedException`, `Message`.
 * - Secrets Manager: 400, `__type` `AccessDeniedException`, `Message`.
 * - SQS (JSON protocol, query-compatible): 403, `__type` `com.amazon.coral.service#AccessDeniedException`,
 *   and `x-amzn-query-error: AccessDenied;Sender`, from which the SDK names the error `AccessDenied`.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-faqs.html
 */
export function accessDenied(service: FrontService, message: string): FrontAnswer {
  const json = 'application/x-amz-json-1.0';
  switch (service) {
    case 'dynamodb':
      return { status: 400, headers: { 'content-type': json }, body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message }) };
    case 'secretsmanager':
      return { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'AccessDeniedException', Message: message }) };
    case 'sqs':
      return {
        status: 403,
        headers: { 'content-type': json, 'x-amzn-query-error': 'AccessDenied;Sender' },
        body: JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message }),
      };
  }
}
