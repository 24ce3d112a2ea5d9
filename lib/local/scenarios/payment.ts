import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { gatewaySecretValue, generatePaymentKeys, providerSecretValue, type PaymentKeys } from '../../examples/payment-keys';
import type { Emulator } from '../emulator';
import { signedPost } from './signed-post';
import { PaymentEnv } from '../../../lambdas/examples/contracts/payment-env';

/**
 * The payment scenario in local mode: a key pair generated for the run is put into the
 * emulator's Secrets Manager stand-in (public half for the gateway, private half for the
 * simulated provider), then an order is placed through `POST /orders` and followed until the
 * result consumer marks it PAID through the gateway and the results topic.
 */
export type { PaymentKeys } from '../../examples/payment-keys';

/** Generates the run's WeChat Pay platform key pair and API v3 key and puts them into both secrets. */
export function provisionPaymentKeys(emulator: Emulator): PaymentKeys {
  const keys = generatePaymentKeys();
  const secrets = emulator.secrets.list();
  const gatewaySecrets = secrets.filter((s) => /WechatPaySecret/.test(s.name));
  const providerSecrets = secrets.filter((s) => /SimulatedProviderKeys/.test(s.name));
  if (gatewaySecrets.length === 0 || providerSecrets.length === 0) {
    throw new Error(`the assembly needs a gateway WeChat Pay secret and the simulated provider's keys (context simulatedProvider=true); secrets: ${secrets.map((s) => s.name).join(', ') || 'none'}`);
  }
  for (const s of gatewaySecrets) emulator.secrets.put(s.arn, gatewaySecretValue(keys));
  for (const s of providerSecrets) emulator.secrets.put(s.arn, providerSecretValue(keys));
  return keys;
}

/** Base URL of the HTTP API that serves `routeKey`. */
export function apiUrlFor(emulator: Pick<Emulator, 'httpUrlOf'>, routeKey: string): string {
  const url = emulator.httpUrlOf(routeKey);
  if (!url) throw new Error(`no HTTP API serves ${routeKey}`);
  return url;
}

export interface PaymentScenarioOptions {
  /** Amount in fen. @default 2500 */
  readonly amount?: number;
  /** How long the order may take to be paid. @default 60000 */
  readonly timeoutMs?: number;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** Keys to use. @default provisionPaymentKeys(emulator) */
  readonly keys?: PaymentKeys;
}

export interface PaymentScenarioResult {
  readonly orderNumber: string;
  readonly status: string;
  readonly transactionId?: string;
  /** From POST /orders to the order read back as PAID. */
  readonly elapsedMs: number;
  readonly keys: PaymentKeys;
}

/** Places an order through `POST /orders` and waits until it is PAID (or fails on timeout). */
export async function runPaymentScenario(emulator: Emulator, options: PaymentScenarioOptions = {}): Promise<PaymentScenarioResult> {
  const log = options.log ?? (() => undefined);
  const keys = options.keys ?? provisionPaymentKeys(emulator);
  const ordersUrl = `${apiUrlFor(emulator, 'POST /orders')}/orders`;
  const start = Date.now();
  const response = await signedPost(ordersUrl, { amount: options.amount ?? 2500, description: 'demo order' });
  const placed = (await response.json()) as { orderNumber?: string; message?: string };
  if (response.status !== 201 || !placed.orderNumber) throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(placed)}`);
  log(`[payment] order ${placed.orderNumber} placed (PENDING); the simulated provider calls the gateway back`);

  const order = await waitForOrder(emulator, placed.orderNumber, (o) => o.status !== 'PENDING', options.timeoutMs ?? 60000);
  const elapsedMs = Date.now() - start;
  log(`[payment] order ${placed.orderNumber} is ${order.status} after ${elapsedMs} ms (transaction ${order.transactionId ?? '-'})`);
  if (order.status !== 'PAID') throw new Error(`order ${placed.orderNumber} ended ${order.status}, expected PAID`);
  return { orderNumber: placed.orderNumber, status: order.status, transactionId: order.transactionId, elapsedMs, keys };
}

/** Polls the orders table until `done(order)` holds. */
export async function waitForOrder(
  emulator: Emulator, orderNumber: string, done: (order: Record<string, any>) => boolean, timeoutMs = 60000,
): Promise<Record<string, any>> {
  const { client, table } = ordersTable(emulator);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: { orderNumber }, ConsistentRead: true }));
    if (Item && done(Item)) return Item;
    if (Date.now() > deadline) throw new Error(`order ${orderNumber} is ${Item?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function ordersTable(emulator: Emulator): { client: DynamoDBDocumentClient; table: string } {
  const table = emulator.tables.find((t) => t.keySchema.some((k) => k.AttributeName === 'orderNumber'));
  const fn = emulator.functions.find((f) => f.environment[PaymentEnv.ORDERS_TABLE]);
  if (!table || !fn) throw new Error('the assembly has no orders table (PaymentStack)');
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({
    endpoint: fn.environment.AWS_ENDPOINT_URL_DYNAMODB,
    region: fn.environment.AWS_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }));
  return { client, table: table.name };
}
