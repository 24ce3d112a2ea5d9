import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

const ASSET_HASH = /[a-f0-9]{64}/g;

/** Replaces every asset hash (64 hex characters) in a value with `<asset-hash>`. */
export function maskAssetHashes<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replace(ASSET_HASH, '<asset-hash>')) as T;
}

/**
 * The stack's template with asset hashes masked, so that snapshots change only when the
 * infrastructure does, not when function code does.
 */
export function maskedTemplate(stack: Stack): Record<string, unknown> {
  return maskAssetHashes(Template.fromStack(stack).toJSON());
}
