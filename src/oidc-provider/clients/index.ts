export { OidcClientService, usesSecret } from './oidc-client.service';
export type { CreateOidcClientCommand, OidcClientSettings, OidcClientWithSecret, UpdateOidcClientCommand } from './oidc-client.service';
export { OidcClients } from './oidc-clients';
export type { OidcClientsSettings } from './oidc-clients';
export { OidcClientHasNoSecretError, OidcClientNotFoundError } from './oidc-client.errors';
export { isLoopbackRedirectHost, validateClientUri, validateClientUris } from './oidc-client.validation';
