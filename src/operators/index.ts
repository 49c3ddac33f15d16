export { OperatorTokenService, OPERATOR_TOKEN_PREFIX } from './operator-token.service';
export type { OperatorTokenGrant, CreateOperatorTokenCommand, OperatorTokenWithSecret } from './operator-token.service';
export { OperatorTokenResolver } from './operator-token.resolver';
export { MeResolver } from './me.resolver';
export { OperatorToken } from './operator-token.entity';
export { OperatorRole, MANAGE_OPERATOR_TOKENS, scopesOfRole } from './roles';
export { OperatorTokenNotFoundError, OperatorTokenOutOfTenantError } from './operators.errors';
