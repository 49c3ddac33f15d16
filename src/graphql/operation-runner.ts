import { Request, Response } from 'express';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { Database, platformScope } from '../db/scope';
import { Secret } from '../config';
import { Logger } from '../shared/logger';
import { AccessTokenVerifier, GraphqlContext, OperatorTokenVerifier, Principal, SessionTokenVerifier } from './context';
import { Loaders } from './batch-loader';
import { Actor, ActorKind, identifyActor } from '../audit/actor';

/** One region's GraphQL: its Apollo server (its own services and schema), its database and token lookups. */
export interface GraphqlRegion {
  region: string;
  apollo: ApolloServer<GraphqlContext>;
  db: Database;
  accessTokens: AccessTokenVerifier;
  operatorTokens: OperatorTokenVerifier & SessionTokenVerifier;
}

export interface GraphqlHttpDeps {
  adminToken: Secret;
  /** Every region served, home region first; filled in as each region's Apollo starts. */
  regions: readonly GraphqlRegion[];
  /** The region a platform caller's operation runs in (platform-region.ts), or why it cannot run. */
  platformRegion(body: unknown, requested: RoutingHints): Promise<GraphqlRegion | PlatformRoutingError>;
}

/** What a platform caller's request headers say about where its operation belongs. */
export interface RoutingHints {
  /** `Ids-Region`: a region, for an operation that names no customer. */
  region: string | undefined;
  /**
   * `Ids-Customer`: the customer the operation is about, when it names only an object's id (a
   * profile, a webhook endpoint): the dashboard sends the customer whose pages are open. Routing
   * only: what the caller may see is decided by its scopes and tenant as always.
   */
  customerId: string | undefined;
}

/** A platform operation that cannot run in one region (it names customers of several). */
export interface PlatformRoutingError {
  code: string;
  message: string;
}

/** The header a platform caller names a region with, for an operation that names no customer (`Ids-Region: NA`). */
export const REGION_HEADER = 'ids-region';

/** The header a platform caller names the customer an operation is about with (`Ids-Customer: <id>`). */
export const CUSTOMER_HEADER = 'ids-customer';

/** How one request's operation runs, whoever the caller turns out to be (http.ts: a bearer token; session-http.ts: a dashboard session). */
export interface OperationRun {
  requestId: string;
  /** The request's headers as Apollo sees them. */
  headers: HeaderMap;
  /** Runs the operation in `region`, in the caller's current transaction, or answers the refusal thrown from the context. */
  runOperation(region: GraphqlRegion, caller: { principal: Principal } | { refused: unknown }): Promise<HTTPGraphQLResponse>;
  /** Runs a platform-wide caller's operation in a transaction on the platform pool of the region it names (logged). */
  asPlatform(principal: Principal): Promise<HTTPGraphQLResponse>;
}

export function prepareOperation(deps: GraphqlHttpDeps, req: Request, res: Response): OperationRun {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = {
    method: req.method.toUpperCase(),
    headers,
    search: new URL(req.url, 'http://localhost').search,
    body: req.body as unknown,
  };
  const requestId = String(res.locals.requestId);
  const log = res.locals.log as Logger;
  // A refused caller is thrown from the context, where Apollo turns it into its answer (401).
  const runOperation = (region: GraphqlRegion, caller: { principal: Principal } | { refused: unknown }) =>
    region.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async (): Promise<GraphqlContext> => {
        if ('refused' in caller) throw caller.refused;
        identifyActor(actorOf(caller.principal));
        return { principal: caller.principal, requestId, log, loaders: new Loaders() };
      },
    });
  const asPlatform = async (principal: Principal): Promise<HTTPGraphQLResponse> => {
    const region = await deps.platformRegion(req.body, { region: headers.get(REGION_HEADER), customerId: headers.get(CUSTOMER_HEADER) });
    if (!('apollo' in region)) return refusal(400, region.code, region.message, requestId);
    return region.db.run(platformScope(`graphql operation by ${describePrincipal(principal)} in ${region.region}`), () => runOperation(region, { principal }));
  };
  return { requestId, headers, runOperation, asPlatform };
}

/** Writes Apollo's answer (after the commit: a client never sees a mutation's result before it is durable). */
export async function sendGraphqlResponse(res: Response, response: HTTPGraphQLResponse, requestId: string): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.send(withRequestId(response.body.string, requestId));
    return;
  }
  // Incremental delivery is not enabled in our schema; should it ever be, stream what remains.
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** An operation refused before it ran: a GraphQL error with its code, in the same shape as Apollo's, with the request id. */
export function refusal(status: number, code: string, message: string, requestId: string): HTTPGraphQLResponse {
  const headers = new HeaderMap([['content-type', 'application/json; charset=utf-8']]);
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }], extensions: { requestId } }) + '\n';
  return { status, headers, body: { kind: 'complete', string: body } };
}

/**
 * Puts the request id (also in X-Request-Id and every log line of the request) into the top-level
 * `extensions` of a response with errors, so whoever reports a failure can quote it.
 */
function withRequestId(body: string, requestId: string): string {
  if (!body.includes('"errors"')) return body;
  try {
    const parsed = JSON.parse(body) as { errors?: unknown; extensions?: Record<string, unknown> };
    if (!Array.isArray(parsed.errors)) return body;
    return JSON.stringify({ ...parsed, extensions: { ...parsed.extensions, requestId } }) + '\n';
  } catch {
    return body;
  }
}

/** How the audit trail names a caller: never by a secret, only by ids. */
export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'operator':
      return { kind: ActorKind.OPERATOR, id: 'bootstrap-admin' };
    case 'operator-token':
      return { kind: ActorKind.OPERATOR, id: principal.id };
    case 'client':
      return { kind: ActorKind.CLIENT, id: principal.clientId };
  }
}

function describePrincipal(principal: Principal): string {
  switch (principal.kind) {
    case 'operator':
      return 'the bootstrap ADMIN_TOKEN';
    case 'operator-token':
      return `operator token ${principal.id} (${principal.name})`;
    case 'client':
      return `client ${principal.clientId}`;
  }
}
