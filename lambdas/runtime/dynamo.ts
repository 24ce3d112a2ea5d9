import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

let client: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

/**
 * One DynamoDB client per container. AWS_ENDPOINT_URL_DYNAMODB (set by the emulator for
 * DynamoDB Local) is passed explicitly so it holds whatever the SDK version's own support.
 */
export function getDynamoClient(): DynamoDBClient {
  if (!client) {
    const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    client = new DynamoDBClient(endpoint ? { endpoint } : {});
  }
  return client;
}

export function getDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(getDynamoClient(), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  });
  return documentClient;
}
