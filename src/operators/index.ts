export { OperatorTokenService, OPERATOR_TOKEN_PREFIX } from './operator-token.service';
export type { OperatorTokenGrant, CreateOperatorTokenCommand, OperatorTokenWithSecret } from './operator-token.service';
export { OperatorToken } from './operator-token.entity';
export { OperatorRole, MANAGE_OPERATOR_TOKENS, OPERATOR_ONLY, scopesOfRole } from './roles';
export { OperatorTokenNotFoundError, OperatorTokenOutOfTenantError } from './operators.errors';
