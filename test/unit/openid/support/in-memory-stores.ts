import type { Association, AssociationStore, NonceStore } from '../../../../src/openid';

/** Test double of the association store contract: shared and private handles kept apart. */
export class InMemoryAssociationStore implements AssociationStore {
  readonly associations = new Map<string, Association>();

  async save(association: Association): Promise<void> {
    this.associations.set(association.handle, association);
  }

  async find(handle: string, options: { readonly private: boolean }): Promise<Association | undefined> {
    const found = this.associations.get(handle);
    return found !== undefined && found.isPrivate === options.private ? found : undefined;
  }

  async delete(handle: string): Promise<boolean> {
    return this.associations.delete(handle);
  }
}

/** Test double of the nonce store: remembers (endpoint, nonce) pairs. */
export class InMemoryNonceStore implements NonceStore {
  readonly used = new Map<string, Date>();

  async markUsed(endpoint: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const key = `${endpoint}\n${nonce}`;
    if (this.used.has(key)) return false;
    this.used.set(key, expiresAt);
    return true;
  }
}
