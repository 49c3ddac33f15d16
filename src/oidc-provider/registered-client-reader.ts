import { EntityManager } from '@mikro-orm/postgresql';
import { OAuthClient } from '../oauth';
import { OidcClientLookup, RegisteredClient } from './registered-client';

/**
 * Reads a customer's enabled OIDC client in the current unit of work, uncached.
 * TODO(oidc-clients lands): replace by its cached OidcClientLookup in build-services.ts and delete this file.
 */
export class RegisteredClientReader implements OidcClientLookup {
  constructor(private readonly em: EntityManager) {}

  async find(customerId: string, clientId: string): Promise<RegisteredClient | null> {
    const row = await this.em.findOne(OAuthClient, { customer: customerId, clientId, kind: 'OIDC', disabledAt: null });
    if (!row) return null;
    return {
      id: row.id,
      clientId: row.clientId,
      customerId,
      name: row.name,
      logoUri: row.logoUri,
      redirectUris: row.redirectUris,
      postLogoutRedirectUris: row.postLogoutRedirectUris,
      scopes: row.scopes,
      tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
      jwks: row.jwks,
      idTokenSignedResponseAlg: row.idTokenSignedResponseAlg,
      backchannelLogoutUri: row.backchannelLogoutUri,
      secretHash: row.secretHash,
    };
  }
}
