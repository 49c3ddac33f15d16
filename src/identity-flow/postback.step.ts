import { CustomerConfig, hashApiKey, PromptPolicy } from '../customers';
import { disclosureOf } from '../profiles';
import type { SqlPool } from '../db/sql-pool';
import { currentActor } from '../audit/actor';
import { Clock } from '../shared/clock';
import { createKeyedHash, KeyedHash } from '../shared/keyed-hash';
import { Logger } from '../shared/logger';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { hashRequestId } from './binding';
import { PostbackContent, postbackDigest, readContent, readCredentials, readKnownFields } from './postback.parse';
import { PostbackRefusedError } from './identity-flow.errors';
import type { KeyRing } from '../keys';
import { sealPostback, SealedPostback } from './sealed-values';
import * as steps from './login-steps.repository';

export interface PostbackStepDeps {
  pool: SqlPool;
  clock: Clock;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null>; invalidate(slug: string): void };
  subjectHash: (customerId: string, username: string) => string;
  secretKeys: SecretKeyRing;
  keys: KeyRing;
  log: Logger;
}

/** A postback taken: `accepted` the first time, `repeated` for an identical retry (nothing written again). */
export type PostbackResult = { kind: 'accepted'; authRequestId: string } | { kind: 'repeated'; authRequestId: string };

/**
 * Steps 4-5, the AW's postback (docs/protocol.md#postback). A refusal is a PostbackRefusedError with its code.
 */
export class PostbackStep {
  private readonly digestHash: KeyedHash;

  constructor(private readonly deps: PostbackStepDeps) {
    // A retry is matched to the first postback by equal digests, so they stay on the stable version.
    this.digestHash = createKeyedHash(deps.secretKeys.stable.secret.reveal(), 'postback-digest');
  }

  /**
   * In the order of §4.3: customer, API key (before anything about the request is revealed),
   * request, state and expiry, fields, then one compare-and-set that stores the result together
   * with the user's profile.
   */
  async run(slug: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<PostbackResult> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) throw new PostbackRefusedError('UNKNOWN_REQUEST');
    const fields = readKnownFields(pairs);
    const { requestId, apiKey } = readCredentials(fields);
    const now = this.deps.clock.now();
    // Validated now, but refused only after the request's own checks (§4.3's order), by the statement's answer.
    let content: PostbackContent | null = null;
    let invalid: PostbackRefusedError | null = null;
    try {
      content = readContent(fields, now);
    } catch (err) {
      if (!(err instanceof PostbackRefusedError)) throw err;
      invalid = err;
    }
    const user = content?.kind === 'user' ? content : null;
    const isMinor = user?.isMinor ?? false;
    const requestIdHash = hashRequestId(requestId);
    const record = user && disclosureOf({ isMinor }, 'record').attributes ? user.supplied : {};
    // The person's values go to the database sealed under their key: the one this process knows, or a
    // new one the statement stores; when another was stored first, the statement answers it and the
    // values are sealed again under it. A key this process held but the database no longer has (erased)
    // takes two such answers: one to learn it is gone, one to learn which key the person has now.
    const customerKeys = user ? await this.deps.keys.customer(customer.id) : null;
    // The username's lookup hash, once: it finds the person's cached key and goes to the statement.
    const usernameHash = user && customerKeys ? this.deps.keys.lookupHash(customerKeys, 'username', user.username) : null;
    let pending = customerKeys && usernameHash !== null ? this.deps.keys.personOrNew(customerKeys, usernameHash) : null;
    for (let attempt = 0; ; attempt++) {
      const sealed: SealedPostback | null =
        user && customerKeys && pending
          ? sealPostback(customerKeys, this.deps.keys, pending.person, pending.wrapped, {
              username: user.username,
              usernameHash: usernameHash!,
              requestIdHash,
              supplied: user.supplied,
              blob: user.blob ?? null,
              record,
            })
          : null;
      const answer = await this.call(customer, apiKey, requestIdHash, fields, now, invalid, content, sealed, isMinor);
      if (answer.outcome === 'stale_key' && user && customerKeys && attempt < 2) {
        if (pending) this.deps.keys.forgetPerson(pending.person.id);
        pending = answer.storedKey
          ? { person: this.deps.keys.adopt(customerKeys, usernameHash!, answer.storedKey), wrapped: null }
          : this.deps.keys.personOrNew(customerKeys, usernameHash!);
        continue;
      }
      if (answer.outcome === 'accepted' && user && customerKeys && pending?.wrapped) this.deps.keys.stored(customerKeys, usernameHash!, pending.person, pending.wrapped);
      return this.answer(slug, answer, user, invalid);
    }
  }

  private call(
    customer: CustomerConfig,
    apiKey: string,
    requestIdHash: string,
    fields: ReturnType<typeof readKnownFields>,
    now: Date,
    invalid: PostbackRefusedError | null,
    content: PostbackContent | null,
    sealed: SealedPostback | null,
    isMinor: boolean,
  ): Promise<steps.PostbackAnswer> {
    const user = content?.kind === 'user' ? content : null;
    return steps.postback(this.deps.pool, {
      customerId: customer.id,
      apiKeyHash: hashApiKey(apiKey),
      requestIdHash,
      digest: postbackDigest(fields, this.digestHash),
      now,
      isContentInvalid: invalid !== null,
      isCancel: content?.kind === 'cancel',
      person: sealed?.person ?? null,
      noPrompt: user ? (user.noPrompt ?? customer.promptPolicy === PromptPolicy.NO_PROMPT) : null,
      isMinor,
      supplied: sealed?.supplied ?? {},
      blob: sealed?.blob ?? null,
      // The request keeps only what the assertion may carry (profiles/disclosure.ts): nothing of a
      // restricted person (GDPR art. 18) or a child (COPPA), and neither values nor blob under no-PII.
      keep: {
        open: disclosureOf({ isMinor }, 'assertion'),
        noPii: disclosureOf({ isMinor, isNoPiiRequested: true }, 'assertion'),
        restricted: disclosureOf({ isMinor, isRestricted: true }, 'assertion'),
      },
      record: sealed?.record ?? {},
      digests: sealed?.digests ?? {},
      restrictedRecords: disclosureOf({ isMinor, isRestricted: true }, 'record').attributes,
      authTime: user?.authTime ?? null,
      authPolicies: user?.authPolicies ?? null,
      subjectHash: user ? this.deps.subjectHash(customer.id, user.username) : null,
      actor: currentActor(),
    });
  }

  private answer(slug: string, { outcome, authRequestId }: steps.PostbackAnswer, user: { dropped: readonly string[] } | null, invalid: PostbackRefusedError | null): PostbackResult {
    switch (outcome) {
      case 'unknown_customer':
        // The cached customer is gone (see IdentityFlowService.begin): read again next time.
        this.deps.customers.invalidate(slug);
        throw new PostbackRefusedError('UNKNOWN_REQUEST');
      case 'unknown_request':
        throw new PostbackRefusedError('UNKNOWN_REQUEST');
      case 'invalid_api_key':
        throw new PostbackRefusedError('INVALID_API_KEY');
      case 'expired':
        throw new PostbackRefusedError('REQUEST_EXPIRED');
      case 'stale_key':
        // Three times in one postback: the person's key keeps being made and erased meanwhile.
        throw new Error('the person\'s key changed three times during one postback');
      case 'already_posted':
        throw new PostbackRefusedError('ALREADY_POSTED');
      case 'invalid_content':
        throw invalid!;
      case 'repeated':
        return { kind: 'repeated', authRequestId: authRequestId! };
      case 'accepted':
        if (user && user.dropped.length > 0) this.deps.log.info({ authRequestId, droppedFields: user.dropped }, 'postback fields not in sreg format were dropped');
        return { kind: 'accepted', authRequestId: authRequestId! };
    }
  }
}
