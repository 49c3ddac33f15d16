import {
  buildCancelResponse,
  buildPositiveAssertion,
  buildSetupNeededResponse,
  createAssociation,
  IDENTIFIER_SELECT,
  OPENID2_NS,
  verifySignature,
  type AssertionOptions,
  type Association,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { InMemoryAssociationStore } from './support/in-memory-stores';
import { SeededRandom } from './support/random';

const opEndpoint = 'https://op.example.com/c/acme/openid';
const alice = 'https://op.example.com/c/acme/id/alice';
const returnTo = 'https://rp.example.org/finish?sid=42';

function setup(): AssertionOptions & { store: InMemoryAssociationStore; clock: FixedClock } {
  return {
    store: new InMemoryAssociationStore(),
    clock: new FixedClock(new Date('2024-01-01T00:00:00Z')),
    random: new SeededRandom('assertion'),
  };
}

async function sharedAssociation(options: ReturnType<typeof setup>, lifetimeSeconds = 3600): Promise<Association> {
  const association = createAssociation({ assocType: 'HMAC-SHA1', isPrivate: false, lifetimeSeconds, clock: options.clock, random: options.random });
  await options.store.save(association);
  return association;
}

const sregExtension = {
  namespace: 'http://openid.net/extensions/sreg/1.1',
  alias: 'sreg',
  fields: [['email', 'alice@example.com']] as const,
};

describe('positive assertion (§10.1, docs/protocol.md#positive-assertion)', () => {
  it('signs with the RP’s live shared association and lists every emitted field in signed', async () => {
    const options = setup();
    const shared = await sharedAssociation(options);
    const message = await buildPositiveAssertion(
      { request: { returnTo, assocHandle: shared.handle }, opEndpoint, claimedId: alice, identity: alice, extensions: [sregExtension] },
      options,
    );
    expect(message.keys()).toEqual([
      'ns', 'mode', 'op_endpoint', 'claimed_id', 'identity', 'return_to', 'response_nonce', 'assoc_handle',
      'ns.sreg', 'sreg.email', 'signed', 'sig',
    ]);
    expect(message.get('signed')).toBe(
      'ns,mode,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle,ns.sreg,sreg.email',
    );
    expect(message.get('ns')).toBe(OPENID2_NS);
    expect(message.get('mode')).toBe('id_res');
    expect(message.get('return_to')).toBe(returnTo);
    expect(message.get('assoc_handle')).toBe(shared.handle);
    expect(message.get('response_nonce')).toMatch(/^2024-01-01T00:00:00Z[0-9A-Za-z]{8}$/);
    expect(message.has('invalidate_handle')).toBe(false);
    expect(verifySignature(message, shared)).toBe(true);
    expect(options.store.associations.size).toBe(1);
  });

  it('signs statelessly with a fresh private HMAC-SHA256 association when the RP sent no handle', async () => {
    const options = setup();
    const message = await buildPositiveAssertion({ request: { returnTo }, opEndpoint, claimedId: alice, identity: alice }, options);
    const handle = message.get('assoc_handle') as string;
    const association = options.store.associations.get(handle) as Association;
    expect(association).toMatchObject({ isPrivate: true, assocType: 'HMAC-SHA256', expiresAt: new Date('2024-01-01T00:10:00Z') });
    expect(message.has('invalidate_handle')).toBe(false);
    expect(message.get('signed')).toBe('ns,mode,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle');
    expect(verifySignature(message, association)).toBe(true);
  });

  it('signs privately and sets invalidate_handle (signed) when the RP’s handle is unknown', async () => {
    const options = setup();
    const message = await buildPositiveAssertion(
      { request: { returnTo, assocHandle: '{HMAC-SHA256}{0}{gone}' }, opEndpoint, claimedId: alice, identity: alice },
      options,
    );
    expect(message.get('invalidate_handle')).toBe('{HMAC-SHA256}{0}{gone}');
    expect(message.get('assoc_handle')).not.toBe('{HMAC-SHA256}{0}{gone}');
    expect(message.get('signed')).toBe(
      'ns,mode,op_endpoint,claimed_id,identity,return_to,response_nonce,assoc_handle,invalidate_handle',
    );
    expect(options.store.associations.get(message.get('assoc_handle') as string)?.isPrivate).toBe(true);
  });

  it('replaces an expired shared association with a private one of the same type', async () => {
    const options = setup();
    const shared = await sharedAssociation(options, 60);
    options.clock.advance(61_000);
    const message = await buildPositiveAssertion(
      { request: { returnTo, assocHandle: shared.handle }, opEndpoint, claimedId: alice, identity: alice },
      options,
    );
    expect(message.get('invalidate_handle')).toBe(shared.handle);
    const used = options.store.associations.get(message.get('assoc_handle') as string);
    expect(used).toMatchObject({ isPrivate: true, assocType: 'HMAC-SHA1' });
  });

  it('never signs with a private association named by the RP', async () => {
    const options = setup();
    const first = await buildPositiveAssertion({ request: { returnTo }, opEndpoint, claimedId: alice, identity: alice }, options);
    const privateHandle = first.get('assoc_handle') as string;
    const second = await buildPositiveAssertion(
      { request: { returnTo, assocHandle: privateHandle }, opEndpoint, claimedId: alice, identity: alice },
      options,
    );
    expect(second.get('assoc_handle')).not.toBe(privateHandle);
    expect(second.get('invalidate_handle')).toBe(privateHandle);
  });

  it('echoes a delegated claimed_id and the identity we vouch for', async () => {
    const options = setup();
    const message = await buildPositiveAssertion(
      { request: { returnTo }, opEndpoint, claimedId: 'https://alice.example/', identity: alice },
      options,
    );
    expect(message.get('claimed_id')).toBe('https://alice.example/');
    expect(message.get('identity')).toBe(alice);
    expect(message.get('claimed_id')).not.toBe(IDENTIFIER_SELECT);
  });

  it('refuses an extension alias that collides with a core field', async () => {
    const options = setup();
    await expect(
      buildPositiveAssertion(
        { request: { returnTo }, opEndpoint, claimedId: alice, identity: alice, extensions: [{ namespace: 'x:y', alias: 'mode', fields: [] }] },
        options,
      ),
    ).rejects.toThrow();
  });
});

describe('negative assertions (§10.2)', () => {
  it('cancel carries only ns and mode', () => {
    expect([...buildCancelResponse().entries()]).toEqual([['ns', OPENID2_NS], ['mode', 'cancel']]);
  });

  it('setup_needed carries only ns and mode', () => {
    expect([...buildSetupNeededResponse().entries()]).toEqual([['ns', OPENID2_NS], ['mode', 'setup_needed']]);
  });
});
