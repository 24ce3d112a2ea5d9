import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { serviceEndpoint } from './env';

// Loaded at init on purpose, not lazily at the first call: every function that imports this
// module sends DynamoDB requests on its first invocation, so a lazy require would only move the
// clients' load (bench/cold-start.ts, sdkProbes) from the init phase into the first invoke, and
// an environment that provisioned concurrency initialized ahead of traffic would pay it on its
// first request instead of before it.
// @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
// @see https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html

let client: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

/** One DynamoDB client per execution environment, at `AWS_ENDPOINT_URL_DYNAMODB` when it is set. */
export function getDynamoClient(): DynamoDBClient {
  if (!client) {
    client = new DynamoDBClient(serviceEndpoint(process.env, 'DYNAMODB'));
  }
  return client;
}

/**
 * One DynamoDB document client per execution environment (over `getDynamoClient`, so at
 * `AWS_ENDPOINT_URL_DYNAMODB` when set): plain JS values in and out, `undefined` attributes
 * removed, class instances written as maps.
 */
export function getDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(getDynamoClient(), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return documentClient;
}
