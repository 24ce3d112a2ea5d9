import { VerificationError } from '../../lambdas/runtime/gateway/verifiers';

/** The VerificationError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<VerificationError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(VerificationError);
  return err as VerificationError;
}
