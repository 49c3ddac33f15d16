import { Request, RequestHandler, Response } from 'express';
import { HTTPGraphQLResponse } from '@apollo/server';
import { NOBODY } from '../db/scope';
import { Principal, tenantOf } from './context';
import { runAs, SYSTEM_ACTOR } from '../audit/actor';
import { GraphqlHttpDeps, prepareOperation, refusal, sendGraphqlResponse } from './operation-runner';

/** A signed-in browser's session, as its transport found it: the operator token's id and the region that knows it. */
export interface SessionCaller {
  tokenId: string;
  region: string;
}

export interface SessionGraphqlDeps {
  /** The session the request's transport found and let through (dashboard-guard.ts), or null. */
  sessionOf(req: Request, res: Response): SessionCaller | null;
  /** Ends that session: its token is no longer active. */
  endSession(req: Request, res: Response): Promise<void>;
}

/**
 * The dashboard's GraphQL (`/dashboard/api/graphql`): one operation run exactly as `/graphql` runs it
 * for the session's operator token (http.ts), with the token re-checked by id on every request in
 * the transaction that sees nobody's rows (`enterActiveGrant`, one statement): a customer-bound
 * token enters its customer and the operation resolves in that transaction; a platform-wide one moves
 * to the platform pool of the region its operation names. A token revoked or expired since sign-in
 * ends the session at once (401 UNAUTHENTICATED). Any Authorization header is dropped: only the
 * session counts here.
 */
export function sessionGraphqlHandler(deps: GraphqlHttpDeps, session: SessionGraphqlDeps): RequestHandler {
  return async (req, res) => {
    const run = prepareOperation(deps, req, res);
    run.headers.delete('authorization');
    const caller = session.sessionOf(req, res);
    const response = await runAs(SYSTEM_ACTOR, async () => {
      const region = caller ? deps.regions.find((r) => r.region === caller.region) : undefined;
      const found =
        caller && region
          ? await region.db.run(NOBODY, async (): Promise<{ response: HTTPGraphQLResponse } | { platform: Principal } | null> => {
              const grant = await region.operatorTokens.enterActiveGrant(caller.tokenId);
              if (!grant) return null;
              const principal: Principal = { kind: 'operator-token', ...grant };
              // Platform-wide tokens leave this transaction (it saw nothing) for one on the platform pool.
              if (tenantOf(principal).kind === 'platform') return { platform: principal };
              return { response: await run.runOperation(region, { principal }) };
            })
          : null;
      if (found === null) {
        if (caller) await session.endSession(req, res);
        return refusal(401, 'UNAUTHENTICATED', 'Your dashboard session has ended: sign in again.', run.requestId);
      }
      return 'response' in found ? found.response : run.asPlatform(found.platform);
    });
    await sendGraphqlResponse(res, response, run.requestId);
  };
}
