import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createEvent } from '../../lambdas/runtime/cloudevents';
import { publish } from '../../lambdas/runtime/producer';

/**
 * The benchmark's baseline: the same route shape as the gateway, but it only publishes the
 * body's `correlationId` as a result event (no verification, decryption or dedupe).
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const body = JSON.parse(event.body ?? '{}') as { id?: string; correlationId?: string };
  const subject = body.correlationId ?? 'unknown';
  await publish(process.env.RESULTS_TOPIC!, createEvent({ type: 'payment.succeeded', source: 'bench/publish-only', subject, id: body.id, data: body }), { key: subject });
  return { statusCode: 204, body: '' };
}
