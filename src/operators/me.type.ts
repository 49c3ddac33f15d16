import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { OperatorRole } from './roles';

export enum PrincipalKind {
  OPERATOR = 'OPERATOR',
  CLIENT = 'CLIENT',
  OPERATOR_TOKEN = 'OPERATOR_TOKEN',
}

registerEnumType(PrincipalKind, {
  name: 'PrincipalKind',
  description: 'What kind of credential the caller presented.',
  valuesConfig: {
    OPERATOR: { description: 'The bootstrap ADMIN_TOKEN (break-glass platform owner).' },
    CLIENT: { description: 'An OAuth 2.0 access token of a customer\'s client.' },
    OPERATOR_TOKEN: { description: 'An operator personal access token.' },
  },
});

@ObjectType('Me', { description: 'Who the caller is and what it may do.' })
export class MeType {
  @Field(() => PrincipalKind, { description: 'The kind of credential.' })
  kind!: PrincipalKind;

  @Field(() => ID, { description: 'The operator token id, the OAuth client_id, or `bootstrap-admin`.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'The operator token\'s name; null for other callers.' })
  name!: string | null;

  @Field(() => OperatorRole, { nullable: true, description: 'The operator role; null for OAuth clients.' })
  role!: OperatorRole | null;

  @Field(() => ID, { nullable: true, description: 'The customer the caller is bound to; null when platform-wide.' })
  customerId!: string | null;

  @Field(() => String, { nullable: true, description: 'The one user a login-code token is limited to; null otherwise.' })
  subject!: string | null;

  @Field(() => [String], { description: 'The scopes the caller holds (`operator` marks platform-only operations, `operators:manage` operator-token management).' })
  scopes!: string[];
}
