export * from './callback-gateway';
export { GatewayProvider } from './gateway-provider';
export type {
  AlipayProviderOptions, BoundGatewayProvider, BoundProviderConfig, HmacProviderOptions, JsonEventProviderOptions,
  StandardWebhooksProviderOptions, StripeProviderOptions, WechatPayProviderOptions,
} from './gateway-provider';
