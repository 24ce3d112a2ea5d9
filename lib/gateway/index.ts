export * from './callback-gateway';
export { GatewayProvider } from './gateway-provider';
export type { BoundGatewayProvider, HmacProviderOptions, WechatPayProviderOptions } from './gateway-provider';
