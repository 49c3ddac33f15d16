/** A data key wrapped (encrypted) by a key-encryption key, with the version that wrapped it. */
export interface WrappedKey {
  readonly version: string;
  readonly ciphertext: Buffer;
}

/**
 * Where the key-encryption key lives. Customer data keys are wrapped and unwrapped here and nowhere
 * else, so the KEK itself never needs to be in this process: the shipped provider holds it from
 * configuration (LocalKeyProvider); a cloud KMS provider implements the same three members by
 * calling its Encrypt/Decrypt (or wrap/unwrap) operations, with `context` as the encryption context.
 */
export interface KeyProvider {
  /** The version new wraps use (the newest). */
  readonly currentVersion: string;
  /** Every version this provider can unwrap, newest first. */
  readonly versions: readonly string[];
  /** Wraps `key` under the current version; `context` (a customer id) must be given again to unwrap. */
  wrap(key: Buffer, context: string): Promise<WrappedKey>;
  /** Throws UnknownKeyVersionError for a version no longer listed, and an Error for a box altered or moved. */
  unwrap(wrapped: WrappedKey, context: string): Promise<Buffer>;
}

export class UnknownKeyVersionError extends Error {
  constructor(readonly version: string) {
    super(`no key-encryption key of version ${version} is configured`);
    this.name = 'UnknownKeyVersionError';
  }
}
