import {
  buildPositiveAssertion,
  checkAuthentication,
  createAssociation,
  MalformedMessageError,
  OPENID2_NS,
  OpenIdMessage,
  parseKvForm,
  type CheckAuthenticationOptions,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { InMemoryAssociationStore, InMemoryNonceStore } from './support/in-memory-stores';
import { SeededRandom } from './support/random';

const opEndpoint = 'https://op.example.com/c/acme/openid';
const alice = 'https://op.example.com/c/acme/id/alice';

function setup() {
  const store = new InMemoryAssociationStore();
  const nonceStore = new InMemoryNonceStore();
  const clock = new FixedClock(new Date('2024-01-01T00:00:00Z'));
  const random = new SeededRandom('check-auth');
  const options: CheckAuthenticationOptions = { store, nonceStore, clock, opEndpoint };
  return { store, nonceStore, clock, random, options };
}

/** What a stateless RP posts back: every field of the assertion, mode swapped (§11.4.2.1). */
function asVerificationRequest(assertion: OpenIdMessage, changes: Record<string, string> = {}): OpenIdMessage {
  const params: Record<string, string> = {};
  for (const [key, value] of assertion.toPostFields()) params[key] = value;
  params['openid.mode'] = 'check_authentication';
  for (const [key, value] of Object.entries(changes)) params[`openid.${key}`] = value;
  return OpenIdMessage.fromParams(params);
}

async function statelessAssertion(context: ReturnType<typeof setup>, assocHandle?: string): Promise<OpenIdMessage> {
  return buildPositiveAssertion(
    {
      request: { returnTo: 'https://rp.example.org/finish?sid=42', ...(assocHandle ? { assocHandle } : {}) },
      opEndpoint,
      claimedId: alice,
      identity: alice,
      extensions: [{ namespace: 'http://openid.net/extensions/sreg/1.1', alias: 'sreg', fields: [['email', 'alice@example.com']] }],
    },
    context,
  );
}

describe('check_authentication (§11.4.2, docs/protocol.md#check-authentication)', () => {
  it('answers is_valid:true once, then false for the same assertion', async () => {
    const context = setup();
    const request = asVerificationRequest(await statelessAssertion(context));

    const first = await checkAuthentication(request, context.options);
    expect(first.isValid).toBe(true);
    expect(first.response.status).toBe(200);
    expect(first.response.body).toBe(`ns:${OPENID2_NS}\nis_valid:true\n`);

    const second = await checkAuthentication(request, context.options);
    expect(second.isValid).toBe(false);
    expect(second.response.body).toBe(`ns:${OPENID2_NS}\nis_valid:false\n`);
  });

  it('deletes the private association and records the nonce on success', async () => {
    const context = setup();
    const assertion = await statelessAssertion(context);
    await checkAuthentication(asVerificationRequest(assertion), context.options);
    expect(context.store.associations.has(assertion.get('assoc_handle') as string)).toBe(false);
    expect(context.nonceStore.used.has(`${opEndpoint}\n${assertion.get('response_nonce')}`)).toBe(true);
  });

  it('answers false for an assertion signed with a shared association', async () => {
    const context = setup();
    const shared = createAssociation({ assocType: 'HMAC-SHA256', isPrivate: false, lifetimeSeconds: 3600, clock: context.clock, random: context.random });
    await context.store.save(shared);
    const assertion = await statelessAssertion(context, shared.handle);
    expect(assertion.get('assoc_handle')).toBe(shared.handle);
    const result = await checkAuthentication(asVerificationRequest(assertion), context.options);
    expect(result.isValid).toBe(false);
    expect(context.store.associations.has(shared.handle)).toBe(true);
  });

  it('answers false when a signed field was changed, and keeps the association for the genuine request', async () => {
    const context = setup();
    const assertion = await statelessAssertion(context);
    const forged = asVerificationRequest(assertion, { 'sreg.email': 'mallory@example.com' });
    expect((await checkAuthentication(forged, context.options)).isValid).toBe(false);
    expect((await checkAuthentication(asVerificationRequest(assertion), context.options)).isValid).toBe(true);
  });

  it('answers false after the private association expired', async () => {
    const context = setup();
    const request = asVerificationRequest(await statelessAssertion(context));
    context.clock.advance(11 * 60_000);
    expect((await checkAuthentication(request, context.options)).isValid).toBe(false);
  });

  it('answers false when the response_nonce was already used at this endpoint', async () => {
    const context = setup();
    const assertion = await statelessAssertion(context);
    await context.nonceStore.markUsed(opEndpoint, assertion.get('response_nonce') as string, new Date('2024-01-02T00:00:00Z'));
    expect((await checkAuthentication(asVerificationRequest(assertion), context.options)).isValid).toBe(false);
  });

  it('answers false for an assertion naming another OP endpoint', async () => {
    const context = setup();
    const request = asVerificationRequest(await statelessAssertion(context));
    const result = await checkAuthentication(request, { ...context.options, opEndpoint: 'https://op.example.com/c/other/openid' });
    expect(result.isValid).toBe(false);
  });

  it('answers false for an unknown handle', async () => {
    const context = setup();
    const request = asVerificationRequest(await statelessAssertion(context), { assoc_handle: '{HMAC-SHA256}{0}{nope}' });
    expect((await checkAuthentication(request, context.options)).isValid).toBe(false);
  });

  it('echoes invalidate_handle when that handle is not a live shared association', async () => {
    const context = setup();
    const assertion = await statelessAssertion(context, '{HMAC-SHA256}{0}{forgotten}');
    expect(assertion.get('invalidate_handle')).toBe('{HMAC-SHA256}{0}{forgotten}');
    const result = await checkAuthentication(asVerificationRequest(assertion), context.options);
    expect(result.isValid).toBe(true);
    expect(result.invalidateHandle).toBe('{HMAC-SHA256}{0}{forgotten}');
    expect(parseKvForm(result.response.body, { strict: true }).get('invalidate_handle')).toBe('{HMAC-SHA256}{0}{forgotten}');
  });

  it('does not echo invalidate_handle for a live shared association (a forged invalidation)', async () => {
    const context = setup();
    const shared = createAssociation({ assocType: 'HMAC-SHA256', isPrivate: false, lifetimeSeconds: 3600, clock: context.clock, random: context.random });
    await context.store.save(shared);
    const request = asVerificationRequest(await statelessAssertion(context), { invalidate_handle: shared.handle });
    const result = await checkAuthentication(request, context.options);
    expect(result.invalidateHandle).toBeUndefined();
    expect(result.response.body).not.toContain('invalidate_handle');
  });

  it.each(['assoc_handle', 'sig', 'signed'])('rejects a request without %s as malformed (HTTP 400)', async (field) => {
    const context = setup();
    const params: Record<string, string> = {};
    for (const [key, value] of asVerificationRequest(await statelessAssertion(context)).toPostFields()) {
      if (key !== `openid.${field}`) params[key] = value;
    }
    await expect(checkAuthentication(OpenIdMessage.fromParams(params), context.options)).rejects.toThrow(MalformedMessageError);
  });

  it('verifies only one of two concurrent requests for the same assertion', async () => {
    const context = setup();
    const request = asVerificationRequest(await statelessAssertion(context));
    const results = await Promise.all([checkAuthentication(request, context.options), checkAuthentication(request, context.options)]);
    expect(results.map((r) => r.isValid).sort()).toEqual([false, true]);
  });
});
