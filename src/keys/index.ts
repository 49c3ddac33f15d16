export { KeyRing, CustomerKeyMissingError, customerContext } from './key-ring';
export type { CustomerKeys, PersonKey, KeyRingDeps } from './key-ring';
export { shredCustomerKey, shredPersonKey } from './keyring.repository';
export type { KeyProvider, WrappedKey } from './key-provider';
export { UnknownKeyVersionError } from './key-provider';
export { LocalKeyProvider } from './local-key-provider';
export { FIELD_PREFIX, fieldAad, openText, sealText, lookupHash } from './field-cipher';
export type { LookupKind } from './field-cipher';
