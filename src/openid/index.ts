/**
 * OpenID 2.0 provider protocol, pure: no HTTP, storage or clock of its own. Everything stateful
 * comes in as an interface (AssociationStore, NonceStore, Clock, RandomSource).
 */
export * from './errors';
export * from './constants';
export { encodeKvForm, parseKvForm, type KvPairs, type KvParseOptions } from './kv-form';
export { OpenIdMessage, type RequestParams } from './message';
export { directResponse, directErrorResponse, type DirectResponse } from './direct-response';
export {
  MAX_REDIRECT_URL_LENGTH,
  appendMessageToUrl,
  formPostHtml,
  indirectResponse,
  type FormPostOptions,
  type IndirectResponse,
} from './indirect-response';
export { escapeMarkup } from './markup';
export { base64ToBigInt, bigIntToBase64, btwoc, decodeBase64Strict, fromBtwoc } from './btwoc';
export {
  DEFAULT_DH_GENERATOR,
  DEFAULT_DH_GROUP,
  DEFAULT_DH_MODULUS,
  SUGGESTED_ASSOC_TYPE,
  SUGGESTED_SESSION_TYPE,
  checkConsumerPublic,
  dhServerResponse,
  dhServerSession,
  findDhGroup,
  generateDhPrivateKey,
  hashSharedSecret,
  readDhConsumerParams,
  type DhConsumerParams,
  type DhGroup,
  type DhServerResponse,
  type DhSessionType,
} from './dh';
export * from './association';
export { associate, type AssociateOptions, type SessionType } from './associate';
export { computeSignature, parseSignedList, signMessage, signatureBaseString, verifySignature } from './signature';
export * from './nonce';
export * from './check-nonce';
export { parseHttpUrl, type HttpUrl } from './http-url';
export {
  checkRealmSyntax,
  isHostWithin,
  isPathWithin,
  isRealmSane,
  parseRealm,
  realmMatchesUrl,
  rpDiscoveryUrl,
  tryParseRealm,
  type Realm,
} from './realm';
export * from './check-return-to';
export * from './check-trusted-realm';
export * from './verify-return-to';
export * from './checkid';
export * from './claimed-id';
export * from './assertion';
export * from './negative-assertion';
export * from './check-authentication';
export * from './discovery';
export * from './extensions/extension-response';
export * from './extensions/sreg';
export * from './extensions/ax';
export * from './extensions/pape';
export * from './extensions/ids';
export * from './extensions/release';
