import {
  associate,
  AssociationStore,
  AuthRequestInput,
  buildCancelResponse,
  buildExtensionResponses,
  buildPositiveAssertion,
  buildSetupNeededResponse,
  checkAuthentication,
  claimedIdFor,
  DirectResponse,
  directErrorResponse,
  idsNamespaceFor,
  IndirectResponse,
  indirectResponse,
  OpenIdError,
  OpenIdMessage,
  parseCheckIdRequest,
  parseRealm,
  releasableFields,
  RequestParams,
  UnknownModeError,
  UnverifiedReturnToError,
  usernameFromClaimedId,
} from '../openid';
import { CustomerConfig, customerUrls, ReturnToVerification } from '../customers';
import type { SqlPool } from '../db/sql-pool';
import { Clock } from '../shared/clock';
import { KeyedHash } from '../shared/keyed-hash';
import { Sealer } from '../shared/sealed-box';
import { RandomSource } from '../shared/random';
import { PooledAssociationStore, PooledNonceStore, SharedAssociationCache } from './pg-stores';
import { LoginOutcome, LoginStep, HandoffCookie, VerifiedReturnTo } from './login-step';
import { ReturnToVerifier } from './rp-discovery';
import { AssociationLimitError, DirectRequestMethodError, ForeignIdentifierError } from './provider.errors';

export interface ProviderSettings {
  publicUrl: string;
  sharedAssociationLifetimeSeconds: number;
  privateAssociationLifetimeSeconds: number;
  nonceMaxAgeSeconds: number;
  /** Live shared associations one address may hold at one customer. */
  maxLiveAssociationsPerAddress: number;
}

export interface ProviderDeps {
  /** The hot path's pool: the association and nonce stores (associate, checkid, check_authentication). */
  pool: SqlPool;
  /** Shared associations, cached in the process with invalidation. */
  sharedAssociations: SharedAssociationCache;
  /** Seals association MAC keys at rest; built once from SECRET_KEYS. */
  associationSealer: Sealer;
  /** Names the address behind a shared association (customer id, address) without storing it. */
  associationSourceHash: KeyedHash;
  clock: Clock;
  random: RandomSource;
  /** Customers by slug, cached in the process. */
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  login: LoginStep;
  /** RP discovery for return_to verification (§9.2.1), with its cache. */
  returnToVerifier: Pick<ReturnToVerifier, 'cached' | 'verify'>;
  settings: ProviderSettings;
}

/** How a request reached the OP endpoint; the HTTP layer fills it in. */
export interface Transport {
  method: 'GET' | 'POST';
  isSecure: boolean;
  /** The client's address, as the abuse limits see it. Personal data: only ever stored hashed. */
  sourceAddress: string;
}

/** What the HTTP layer must send back, in protocol terms. */
export type ProviderResult =
  | { kind: 'direct'; response: DirectResponse }
  | { kind: 'indirect'; response: IndirectResponse }
  | { kind: 'handoff'; location: string; cookies: readonly HandoffCookie[] }
  | { kind: 'page'; page: ProviderPage }
  /**
   * RP discovery must fetch the realm first. The caller runs `discover` outside its database
   * transaction (a slow RP must not hold a connection) and calls `handle` again with the outcome.
   */
  | { kind: 'discover'; discover: () => Promise<VerifiedReturnTo> };

/**
 * A page for a person rather than an answer to an RP: no provider here, a visit to the endpoint
 * without an OpenID message, or an indirect request refused with a message safe to show. The
 * browser routes give each its status and wording (src/http/error-pages.ts).
 */
export type ProviderPage = { code: 'UNKNOWN_PROVIDER' } | { code: 'ENDPOINT_INFO'; customerName: string } | { code: 'REQUEST_REFUSED'; message: string };

const UNKNOWN_CUSTOMER: ProviderResult = { kind: 'page', page: { code: 'UNKNOWN_PROVIDER' } };

/**
 * The OpenID 2.0 provider of every customer: dispatches a message arriving at
 * `/c/{slug}/openid` (docs/protocol.md#op-endpoint) to the pure protocol steps in `openid/`, with stores
 * scoped to that customer, and maps protocol errors to the right kind of answer in one place.
 */
export class OpenIdProviderService {
  constructor(private readonly deps: ProviderDeps) {}

  /**
   * Handles one request at a customer's OP endpoint. `discovered` is the outcome of a `discover`
   * this method asked for on an earlier call with the same request.
   */
  async handle(slug: string, params: RequestParams, transport: Transport, discovered?: VerifiedReturnTo): Promise<ProviderResult> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return UNKNOWN_CUSTOMER;
    if (!OpenIdMessage.hasMode(params)) {
      // §4.1.2: without openid.mode this is not an OpenID message; a person probably typed the URL.
      return { kind: 'page', page: { code: 'ENDPOINT_INFO', customerName: customer.name } };
    }
    let message: OpenIdMessage | undefined;
    try {
      message = OpenIdMessage.fromParams(params);
      switch (message.mode) {
        case 'associate':
          return { kind: 'direct', response: await this.associate(customer, message, transport) };
        case 'check_authentication':
          return { kind: 'direct', response: await this.checkAuthentication(customer, message, transport) };
        case 'checkid_setup':
        case 'checkid_immediate':
          return await this.checkId(customer, message, discovered);
        default:
          // By POST a direct error, by GET a page: never a redirect to the return_to it may carry.
          throw new UnknownModeError(message.mode ?? '');
      }
    } catch (err) {
      if (!(err instanceof OpenIdError)) throw err;
      return this.errorResult(err, transport, message);
    }
  }

  /**
   * Step 8: the positive assertion for a request whose user the login step identified. Used by the
   * OP endpoint when the login step answers at once, and by the login flow's browser routes when the
   * flow returns an `assert` after the AW's postback.
   */
  async assert(customer: CustomerConfig, request: AuthRequestInput, outcome: LoginOutcome): Promise<IndirectResponse> {
    const { opEndpoint, openidIdentifier } = customerUrls(this.deps.settings.publicUrl, customer.slug);
    const opBase = openidIdentifier.replace(/\/$/, '');
    let claimedId: string;
    let identity: string;
    if (request.isIdentifierSelect) {
      claimedId = identity = claimedIdFor(opBase, outcome.username);
    } else {
      // docs/protocol.md#checkid: the user who logged in must be the one the RP asked about; otherwise cancel.
      if (usernameFromClaimedId(opBase, request.identity) !== outcome.username) return this.cancel(request);
      claimedId = request.claimedId;
      identity = request.identity;
    }
    const extensions = buildExtensionResponses(request, {
      released: releasableFields(request, outcome.supplied, outcome.granted),
      pape: { ...(outcome.authTime ? { authTime: outcome.authTime } : {}), ...(outcome.authPolicies ? { authPolicies: outcome.authPolicies } : {}) },
      ...(outcome.blob || outcome.loginCode
        ? {
            ids: {
              namespace: idsNamespaceFor(this.deps.settings.publicUrl),
              ...(outcome.blob ? { blob: outcome.blob } : {}),
              ...(outcome.loginCode ? { code: outcome.loginCode } : {}),
            },
          }
        : {}),
    });
    const message = await buildPositiveAssertion(
      { request, opEndpoint, claimedId, identity, extensions },
      {
        store: this.associations(customer),
        clock: this.deps.clock,
        random: this.deps.random,
        privateLifetimeSeconds: this.deps.settings.privateAssociationLifetimeSeconds,
      },
    );
    return indirectResponse(request.returnTo, message);
  }

  /** Negative assertion `cancel` (§10.2.2): unsigned, no identifiers. */
  cancel(request: Pick<AuthRequestInput, 'returnTo'>): IndirectResponse {
    return indirectResponse(request.returnTo, buildCancelResponse());
  }

  /** Negative assertion `setup_needed` (§10.2.1) for checkid_immediate. */
  setupNeeded(request: Pick<AuthRequestInput, 'returnTo'>): IndirectResponse {
    return indirectResponse(request.returnTo, buildSetupNeededResponse());
  }

  /**
   * A well-formed checkid whose return_to passed every check is the only request we answer by
   * redirect (id_res, cancel, setup_needed); each refusal before that point is a page.
   */
  private async checkId(customer: CustomerConfig, message: OpenIdMessage, discovered: VerifiedReturnTo | undefined): Promise<ProviderResult> {
    const request = parseCheckIdRequest(message, this.realmPolicy(customer));
    if (!request.isIdentifierSelect) {
      const opBase = customerUrls(this.deps.settings.publicUrl, customer.slug).openidIdentifier.replace(/\/$/, '');
      if (usernameFromClaimedId(opBase, request.identity) === undefined) throw new ForeignIdentifierError();
    }
    const verified = discovered ?? this.returnToVerdict(customer, request);
    if (verified === undefined) {
      const realm = parseRealm(request.realm);
      return { kind: 'discover', discover: () => this.deps.returnToVerifier.verify(realm, request.returnTo, customer.id) };
    }
    // §9.2.1: "If verification is attempted and fails, the OP SHOULD NOT send a positive assertion".
    if (customer.returnToVerification === ReturnToVerification.REQUIRE && verified.status !== 'VERIFIED') throw new UnverifiedReturnToError();
    const decision = await this.deps.login.begin(customer, request, verified);
    switch (decision.kind) {
      case 'redirect':
        return { kind: 'handoff', location: decision.location, cookies: decision.cookies ?? [] };
      case 'authenticated':
        return { kind: 'indirect', response: await this.assert(customer, request, decision.outcome) };
      case 'cancel':
        return { kind: 'indirect', response: this.cancel(request) };
      case 'setup_needed':
        return { kind: 'indirect', response: this.setupNeeded(request) };
      case 'unknown_customer':
        return UNKNOWN_CUSTOMER;
    }
  }

  private async associate(customer: CustomerConfig, message: OpenIdMessage, transport: Transport): Promise<DirectResponse> {
    if (transport.method !== 'POST') throw new DirectRequestMethodError('associate');
    // [D] Each shared association lives for days; without a cap one address could fill the table.
    const source = this.deps.associationSourceHash(customer.id, transport.sourceAddress);
    const store = new PooledAssociationStore(this.deps.pool, customer.id, this.deps.associationSealer, {
      sourceHash: source,
      maxLive: this.deps.settings.maxLiveAssociationsPerAddress,
    });
    // Refused before the Diffie-Hellman exchange when the cap is reached; the insert checks it again exactly.
    if ((await store.liveShared(this.deps.clock.now())) >= this.deps.settings.maxLiveAssociationsPerAddress) throw new AssociationLimitError();
    return associate(message, {
      store,
      clock: this.deps.clock,
      random: this.deps.random,
      isSecureTransport: transport.isSecure,
      sharedLifetimeSeconds: this.deps.settings.sharedAssociationLifetimeSeconds,
    });
  }

  private async checkAuthentication(customer: CustomerConfig, message: OpenIdMessage, transport: Transport): Promise<DirectResponse> {
    if (transport.method !== 'POST') throw new DirectRequestMethodError('check_authentication');
    const result = await checkAuthentication(message, {
      store: this.associations(customer),
      nonceStore: new PooledNonceStore(this.deps.pool, customer.id),
      clock: this.deps.clock,
      opEndpoint: customerUrls(this.deps.settings.publicUrl, customer.slug).opEndpoint,
      nonceMaxAgeSeconds: this.deps.settings.nonceMaxAgeSeconds,
    });
    return result.response;
  }

  /** The return_to verdict without a fetch: SKIPPED when off, else from the cache, else undefined. */
  private returnToVerdict(customer: CustomerConfig, request: AuthRequestInput): VerifiedReturnTo | undefined {
    if (customer.returnToVerification === ReturnToVerification.OFF) return { status: 'SKIPPED', reason: null, checkedAt: this.deps.clock.now() };
    return this.deps.returnToVerifier.cached(parseRealm(request.realm), request.returnTo);
  }

  /**
   * The one mapping of protocol errors for this endpoint: a direct request gets a 400 key-value
   * body (§5.1.2.2, built by openid/); an indirect one always gets our error page (with the
   * reference id), never an `openid.mode=error` redirect (see openid/errors.ts).
   */
  private errorResult(err: OpenIdError, transport: Transport, message: OpenIdMessage | undefined): ProviderResult {
    const isDirect = transport.method === 'POST' && (message === undefined || !message.mode?.startsWith('checkid_'));
    if (isDirect) return { kind: 'direct', response: directErrorResponse(err) };
    return {
      kind: 'page',
      page: { code: 'REQUEST_REFUSED', message: err.expose ? err.message : 'The site that sent you here made a request this OpenID provider cannot process.' },
    };
  }

  /** The login path's association store: one statement per call, shared associations from the cache. */
  private associations(customer: CustomerConfig): AssociationStore {
    return this.deps.sharedAssociations.wrap(customer.id, new PooledAssociationStore(this.deps.pool, customer.id, this.deps.associationSealer));
  }

  private realmPolicy(customer: CustomerConfig) {
    return { trustedRealms: customer.trustedRealms };
  }
}
