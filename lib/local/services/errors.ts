/**
 * The one error local mode raises when it cannot provide a service: the message says what to
 * install or which variables to set instead, so a user never has to read a stack trace.
 */
export class LocalServicesError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalServicesError';
  }
}

/** What to do instead of installing Java/Maven: point at services that already run. */
export const USE_EXISTING_HINT =
  'Or use services that already run: set KAFKA_BROKERS (for example 127.0.0.1:9092) and ' +
  'DYNAMODB_ENDPOINT (for example http://127.0.0.1:8000).';
