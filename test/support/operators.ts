import { App } from '../../src/app';
import { graphql } from './graphql';
import { TEST_ADMIN_TOKEN } from './env';

/**
 * Creates an operator token with `role` through GraphQL, as the platform owner (the bootstrap
 * token, unless `asToken` says otherwise) would, and answers the token.
 */
export async function operatorToken(app: App, role: string, customerId: string | null, asToken = TEST_ADMIN_TOKEN): Promise<string> {
  const res = await graphql<{ createOperatorToken: { token: string } }>(
    app.url!,
    `mutation($role: OperatorRole!, $c: ID) { createOperatorToken(input: { name: "${role.toLowerCase()} token", role: $role, customerId: $c }) { token } }`,
    { role, c: customerId },
    asToken,
  );
  if (!res.data?.createOperatorToken) throw new Error(`createOperatorToken failed: ${JSON.stringify(res.errors)}`);
  return res.data.createOperatorToken.token;
}
