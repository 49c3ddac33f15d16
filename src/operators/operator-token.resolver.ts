import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { OperatorTokenService } from './operator-token.service';
import {
  CreateOperatorTokenInput,
  CreateOperatorTokenPayload,
  OperatorTokenConnection,
  OperatorTokenType,
  RevokeOperatorTokenPayload,
} from './operator-token.type';
import { MANAGE_OPERATOR_TOKENS } from './roles';

/** Operator-token management: owners only (the bootstrap ADMIN_TOKEN counts as a platform owner). */
@Authorized(MANAGE_OPERATOR_TOKENS)
@Resolver(() => OperatorTokenType)
export class OperatorTokenResolver {
  constructor(private readonly tokens: OperatorTokenService) {}

  @Query(() => OperatorTokenConnection, { description: 'Operator tokens, oldest first, cursor-paginated. Owners only; a customer-bound owner sees its customer\'s.' })
  async operatorTokens(
    @Ctx() { principal }: GraphqlContext,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page\'s `pageInfo.endCursor`.' }) after: string | null,
  ): Promise<OperatorTokenConnection> {
    const page = await this.tokens.listTokens(first, after, tenantOf(principal));
    return { nodes: page.items.map(OperatorTokenType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Mutation(() => CreateOperatorTokenPayload, {
    description: 'Creates an operator token (shown once). Owners only; a customer-bound owner only for its own customer.',
  })
  async createOperatorToken(
    @Ctx() { principal }: GraphqlContext,
    @Arg('input', () => CreateOperatorTokenInput) input: CreateOperatorTokenInput,
  ): Promise<CreateOperatorTokenPayload> {
    const { record, token } = await this.tokens.createToken(
      {
        name: input.name,
        role: input.role,
        customerId: input.customerId ?? null,
        expiresInDays: input.expiresInDays ?? null,
        createdBy: principal.kind === 'operator-token' ? principal.id : principal.kind === 'operator' ? principal.id : principal.clientId,
      },
      tenantOf(principal),
    );
    return { token, operatorToken: OperatorTokenType.from(record) };
  }

  @Mutation(() => RevokeOperatorTokenPayload, { description: 'Revokes an operator token; it stops working at once. Owners only.' })
  async revokeOperatorToken(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<RevokeOperatorTokenPayload> {
    return { operatorToken: OperatorTokenType.from(await this.tokens.revokeToken(id, tenantOf(principal))) };
  }
}
