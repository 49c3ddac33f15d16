export { OpenIdProviderService } from './provider.service';
export type { ProviderResult, ProviderSettings, Transport } from './provider.service';
export { DiscoveryService } from './discovery.service';
export type { DiscoveryDocument } from './discovery.service';
export type { LoginStep, LoginDecision, LoginOutcome, HandoffCookie } from './login-step';
export { PgAssociationStore, PgNonceStore } from './pg-stores';
