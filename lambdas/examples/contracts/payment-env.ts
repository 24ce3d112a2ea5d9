/**
 * Environment of the payment example's functions: written by `PaymentStack`
 * (lib/examples/payment-stack.ts) and read by the handlers through these names only.
 */
export const PaymentEnv = {
  /** The orders table (payment-order, payment-result, payment-overdue). */
  ORDERS_TABLE: 'ORDERS_TABLE',
  /** The payment provider's order API (payment-order). */
  PROVIDER_URL: 'PROVIDER_URL',
  /** The gateway's notify URL for the provider (payment-order, payment-provider). */
  NOTIFY_URL: 'NOTIFY_URL',
  /** Seconds an order may stay PENDING before the overdue checker flags it (payment-order). */
  PAYMENT_DEADLINE_SECONDS: 'PAYMENT_DEADLINE_SECONDS',
  /** The simulated provider's own topic of scheduled callbacks (payment-provider). */
  CALLBACK_TOPIC: 'CALLBACK_TOPIC',
  /** How long the simulated provider waits before calling back (payment-provider). */
  CALLBACK_DELAY_MS: 'CALLBACK_DELAY_MS',
  /** The simulated provider's signing keys (payment-provider-notifier). */
  PROVIDER_SECRET_ARN: 'PROVIDER_SECRET_ARN',
} as const;

/** Who writes these variables, named in a missing variable's error. */
export const PAYMENT_ENV_WRITER = 'the PaymentStack';
