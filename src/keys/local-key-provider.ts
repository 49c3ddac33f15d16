import type { MasterKey } from '../config';
import { open, seal } from './aes-gcm';
import { KeyProvider, UnknownKeyVersionError, WrappedKey } from './key-provider';

/** The KEK from MASTER_KEYS, in this process: AES-256-GCM with the version and context as associated data. */
export class LocalKeyProvider implements KeyProvider {
  readonly currentVersion: string;
  readonly versions: readonly string[];
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor(masterKeys: readonly MasterKey[]) {
    if (masterKeys.length === 0) throw new Error('LocalKeyProvider needs at least one master key');
    this.#keys = new Map(masterKeys.map((k) => [k.version, Buffer.from(k.key.reveal(), 'base64')]));
    this.versions = masterKeys.map((k) => k.version);
    this.currentVersion = this.versions[0]!;
  }

  async wrap(key: Buffer, context: string): Promise<WrappedKey> {
    return { version: this.currentVersion, ciphertext: seal(this.#keys.get(this.currentVersion)!, key, aad(this.currentVersion, context)) };
  }

  async unwrap(wrapped: WrappedKey, context: string): Promise<Buffer> {
    const kek = this.#keys.get(wrapped.version);
    if (!kek) throw new UnknownKeyVersionError(wrapped.version);
    return open(kek, wrapped.ciphertext, aad(wrapped.version, context));
  }
}

function aad(version: string, context: string): string {
  return `ids-kek:${version}:${context}`;
}
