import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { OperatorToken } from './operator-token.entity';
import { OperatorRole } from './roles';

registerEnumType(OperatorRole, {
  name: 'OperatorRole',
  description: 'A named set of scopes an operator token carries (see README, Operators and roles).',
  valuesConfig: {
    OWNER: { description: 'Everything, including operator-token management.' },
    ADMIN: { description: 'Configuration, profiles (every field) and deletion.' },
    SUPPORT: { description: 'Reads profiles and requests, rectifies profiles; no deletion, no configuration writes.' },
    AUDITOR: { description: 'Requests and audit; no personal fields.' },
    VIEWER: { description: 'Configuration and request counts only.' },
  },
});

@ObjectType('OperatorToken', { description: 'An operator\'s personal access token (never the token itself).' })
export class OperatorTokenType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => OperatorRole, { description: 'The role, and so the scopes, the token carries.' })
  role!: OperatorRole;

  @Field(() => ID, { nullable: true, description: 'The customer the token is bound to; null when platform-wide.' })
  customerId!: string | null;

  @Field(() => String, { description: 'Who created it: `bootstrap-admin` or the creating owner\'s token id.' })
  createdBy!: string;

  @Field(() => Date, { description: 'When the token was created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the token was last used (to the minute); null if never.' })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the token stops working; null if it does not expire.' })
  expiresAt!: Date | null;

  @Field(() => Boolean, { description: 'Whether the token is revoked.' })
  isRevoked!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the token was revoked; null while it is not.' })
  revokedAt!: Date | null;

  static from(record: OperatorToken): OperatorTokenType {
    return Object.assign(new OperatorTokenType(), {
      id: record.id,
      name: record.name,
      role: record.role as OperatorRole,
      customerId: record.customer?.id ?? null,
      createdBy: record.createdBy,
      createdAt: record.createdAt,
      lastUsedAt: record.lastUsedAt,
      expiresAt: record.expiresAt,
      isRevoked: record.revokedAt !== null,
      revokedAt: record.revokedAt,
    });
  }
}

@ObjectType('OperatorTokenConnection', { description: 'A page of operator tokens.' })
export class OperatorTokenConnection extends Connection(OperatorTokenType) {}

@InputType('CreateOperatorTokenInput', { description: 'A new operator personal access token.' })
export class CreateOperatorTokenInput {
  @Field(() => String, { description: 'Display name, 1-200 characters (who or what uses it).' })
  name!: string;

  @Field(() => OperatorRole, { description: 'The role the token carries.' })
  role!: OperatorRole;

  @Field(() => ID, { nullable: true, description: 'Bind the token to this customer; omit for a platform-wide token (platform owners only).' })
  customerId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Lifetime in days, 1-3650; omit for a token that does not expire.' })
  expiresInDays?: number | null;
}

@ObjectType('CreateOperatorTokenPayload', { description: 'Result of createOperatorToken.' })
export class CreateOperatorTokenPayload {
  @Field(() => String, { description: 'The token (`ops_…`). Shown only now: store it, we keep only a keyed hash.' })
  token!: string;

  @Field(() => OperatorTokenType, { description: 'The new token\'s record.' })
  operatorToken!: OperatorTokenType;
}

@ObjectType('RevokeOperatorTokenPayload', { description: 'Result of revokeOperatorToken.' })
export class RevokeOperatorTokenPayload {
  @Field(() => OperatorTokenType, { description: 'The token, now revoked.' })
  operatorToken!: OperatorTokenType;
}
