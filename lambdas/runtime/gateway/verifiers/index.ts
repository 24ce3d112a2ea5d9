/**
 * Callback verifiers. A verifier implements `Verifier` (see ./types): `verify(request)` returns
 * a `VerifiedCallback` or throws a `VerificationError` with the status the provider gets;
 * `respondFailure(error)` formats that answer the way the provider expects.
 */
export * from './types';
export { WechatPayVerifier, decryptResource } from './wechat-pay';
export type { WechatPayVerifierOptions, WechatPayResource } from './wechat-pay';
export { HmacVerifier, signHmac, hmacHex } from './hmac';
export type { HmacVerifierOptions } from './hmac';
export { buildWechatPayNotification, signWechatPay, encryptResource } from './wechat-pay-notification';
export type { SignedNotification, WechatPayNotificationOptions } from './wechat-pay-notification';
