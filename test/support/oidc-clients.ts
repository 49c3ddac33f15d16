import { graphql, GraphqlResponse } from './graphql';
import { TEST_ADMIN_TOKEN } from './env';

/** The fields tests read back of an OidcClient. */
export const OIDC_CLIENT_FIELDS = 'id clientId customerId name redirectUris postLogoutRedirectUris scopes tokenEndpointAuthMethod hasSecret jwks idTokenSignedResponseAlg logoUri backchannelLogoutUri';

export interface OidcClientView {
  id: string;
  clientId: string;
  customerId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  scopes: string[];
  tokenEndpointAuthMethod: string;
  hasSecret: boolean;
  jwks: string | null;
  idTokenSignedResponseAlg: string;
  logoUri: string | null;
  backchannelLogoutUri: string | null;
}

export interface OidcClientPayload {
  clientId: string;
  clientSecret: string | null;
  client: OidcClientView;
}

const CREATE = `mutation($input: CreateOidcClientInput!) { createOidcClient(input: $input) { clientId clientSecret client { ${OIDC_CLIENT_FIELDS} } } }`;

/** Registers a relying party through GraphQL (as the operator unless `token` says otherwise); the raw response. */
export function createOidcClientRequest(url: string, input: Record<string, unknown>, token = TEST_ADMIN_TOKEN): Promise<GraphqlResponse<{ createOidcClient: OidcClientPayload }>> {
  return graphql<{ createOidcClient: OidcClientPayload }>(url, CREATE, { input }, token);
}

/** Registers a relying party for `customerId` with a valid default registration, overridden by `input`; fails the test on an error. */
export async function createOidcClient(url: string, customerId: string, input: Record<string, unknown> = {}, token = TEST_ADMIN_TOKEN): Promise<OidcClientPayload> {
  const res = await createOidcClientRequest(url, { customerId, name: 'Shop', redirectUris: ['https://shop.example/cb'], ...input }, token);
  if (!res.data?.createOidcClient) throw new Error(`createOidcClient failed: ${JSON.stringify(res.errors)}`);
  return res.data.createOidcClient;
}
