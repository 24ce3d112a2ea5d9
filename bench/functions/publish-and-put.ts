import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createEvent } from '../../lambdas/runtime/cloudevents';
import { getDocumentClient } from '../../lambdas/runtime/dynamo';
import { publish } from '../../lambdas/runtime/producer';

/**
 * The gateway's floor: the least a callback gateway that publishes each notification once can
 * do, one conditional put of the notification's id (the dedupe) and the publish, without
 * verification or decryption. With MARK_PUBLISHED=true it also marks the notification published
 * after the publish, as the gateway must to tell a finished notification from one whose
 * container died mid-publish (the second write of lambdas/runtime/gateway/dedupe.ts).
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = JSON.parse(event.body ?? '{}') as { id?: string; correlationId?: string };
  const subject = body.correlationId ?? 'unknown';
  const seconds = Math.floor(Date.now() / 1000);
  await getDocumentClient().send(new PutCommand({
    TableName: process.env.DEDUPE_TABLE,
    Item: { id: `floor:${body.id}`, state: 'PUBLISHED', expiration: seconds + 3600 },
    ConditionExpression: 'attribute_not_exists(id)',
  }));
  await publish(process.env.RESULTS_TOPIC!, createEvent({ type: 'payment.succeeded', source: 'bench/publish-and-put', subject, id: body.id, data: body }), { key: subject });
  if (process.env.MARK_PUBLISHED === 'true') {
    await getDocumentClient().send(new UpdateCommand({
      TableName: process.env.DEDUPE_TABLE, Key: { id: `floor:${body.id}` }, UpdateExpression: 'SET publishedAt = :at', ExpressionAttributeValues: { ':at': new Date().toISOString() },
    }));
  }
  return { statusCode: 204, body: '' };
}
