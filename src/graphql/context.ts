import { GraphQLError } from 'graphql';
import { Secret } from '../config';
import { secretsEqual } from '../shared/secret-compare';
import { Logger } from '../shared/logger';

/** Who is calling. Only the bootstrap operator exists until scoped credentials arrive. */
export interface Principal {
  kind: 'operator';
  id: 'bootstrap-admin';
}

export interface GraphqlContext {
  principal: Principal;
  requestId: string;
  log: Logger;
}

/** Reads `Authorization: Bearer <token>` and refuses the operation when it is missing or wrong. */
export function authenticate(authorization: string | undefined, adminToken: Secret): Principal {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
  if (!match || !secretsEqual(match[1]!, adminToken.reveal())) {
    throw new GraphQLError('missing or invalid bearer token', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
    });
  }
  return { kind: 'operator', id: 'bootstrap-admin' };
}
