/**
 * Callback verifiers. A verifier implements `Verifier` (see ./types): `verify(request)` returns
 * a `VerifiedCallback` or throws a `VerificationError` with the status the provider gets;
 * `respondFailure(error)` formats that answer the way the provider expects.
 */
export * from './types';
export { WechatPayVerifier, decryptResource, WECHATPAY_RSA_SIGNATURE_TYPE } from './wechat-pay';
export type { WechatPayVerifierOptions, WechatPayResource } from './wechat-pay';
export { HmacVerifier } from './hmac';
export type { HmacVerifierOptions } from './hmac';
export { StandardWebhooksVerifier } from './standard-webhooks';
export type { StandardWebhooksVerifierOptions } from './standard-webhooks';
export { AlipayVerifier, ALIPAY_TRADE_TYPES, alipayCertSn, signedContent } from './alipay';
export type { AlipayVerifierOptions } from './alipay';
export { buildWechatPayNotification, signWechatPay, encryptResource } from './wechat-pay-notification';
export type { SignedNotification, WechatPayNotificationOptions } from './wechat-pay-notification';
