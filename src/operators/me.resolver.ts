import { Ctx, Query, Resolver } from 'type-graphql';
import { GraphqlContext, Principal } from '../graphql/context';
import { MeType, PrincipalKind } from './me.type';
import { OperatorRole, scopesOfRole } from './roles';

/** `me`: any authenticated caller may ask who it is; authentication already happened in the context. */
@Resolver(() => MeType)
export class MeResolver {
  @Query(() => MeType, { description: 'Who the caller is, its role and customer if any, and its scopes.' })
  me(@Ctx() { principal }: GraphqlContext): MeType {
    return Object.assign(new MeType(), describePrincipal(principal));
  }
}

function describePrincipal(principal: Principal): MeType {
  switch (principal.kind) {
    case 'operator':
      return { kind: PrincipalKind.OPERATOR, id: principal.id, name: null, role: OperatorRole.OWNER, customerId: null, subject: null, scopes: scopesOfRole(OperatorRole.OWNER, null) };
    case 'operator-token':
      return { kind: PrincipalKind.OPERATOR_TOKEN, id: principal.id, name: principal.name, role: principal.role, customerId: principal.customerId, subject: null, scopes: [...principal.scopes] };
    case 'client':
      return { kind: PrincipalKind.CLIENT, id: principal.clientId, name: null, role: null, customerId: principal.customerId, subject: principal.subject ?? null, scopes: [...principal.scopes] };
  }
}
