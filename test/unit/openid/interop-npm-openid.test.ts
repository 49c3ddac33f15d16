/**
 * Our assertions as a real RP sees them: the npm `openid` package (a devDependency), with its
 * discovery and association storage hooks pointed at fixtures so that nothing touches the network.
 */
import {
  AX_NS,
  buildExtensionResponses,
  buildPositiveAssertion,
  createAssociation,
  IDENTIFIER_SELECT,
  indirectResponse,
  OPENID2_NS,
  OpenIdMessage,
  parseCheckIdRequest,
  releasableFields,
  SREG_NS_1_1,
} from '../../../src/openid';
import { FixedClock } from '../../../src/shared/clock';
import { InMemoryAssociationStore } from './support/in-memory-stores';
import { SeededRandom } from './support/random';

interface NpmProvider {
  endpoint: string;
  version: string;
  claimedIdentifier?: string;
  localIdentifier?: string;
}
type Callback<T> = (error: unknown, value: T) => void;
interface NpmOpenId {
  loadDiscoveredInformation: (key: string, callback: Callback<NpmProvider | null>) => void;
  loadAssociation: (handle: string, callback: Callback<unknown>) => void;
  verifyAssertion: (
    url: string,
    originalReturnUrl: string,
    callback: Callback<Record<string, unknown> | undefined>,
    stateless: boolean,
    extensions: unknown[],
    strict: boolean,
  ) => void;
  SimpleRegistration: new (options: Record<string, string>) => unknown;
  AttributeExchange: new (options: Record<string, string>) => unknown;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rp = require('openid') as NpmOpenId;

const opEndpoint = 'https://op.example.com/c/acme/openid';
const alice = 'https://op.example.com/c/acme/id/alice';
const returnTo = 'https://rp.example.org/finish?sid=42';

describe('interop with the npm openid relying party', () => {
  const original = { load: rp.loadDiscoveredInformation, assoc: rp.loadAssociation };
  afterAll(() => {
    rp.loadDiscoveredInformation = original.load;
    rp.loadAssociation = original.assoc;
  });

  it('accepts our signed assertion and reads sreg and AX values from it', async () => {
    const clock = new FixedClock(new Date());
    const random = new SeededRandom(`npm-${Date.now()}`);
    const store = new InMemoryAssociationStore();
    const shared = createAssociation({ assocType: 'HMAC-SHA256', isPrivate: false, lifetimeSeconds: 3600, clock, random });
    await store.save(shared);

    // The request the npm RP would send with these extensions.
    const request = parseCheckIdRequest(
      OpenIdMessage.fromParams({
        'openid.ns': OPENID2_NS,
        'openid.mode': 'checkid_setup',
        'openid.claimed_id': IDENTIFIER_SELECT,
        'openid.identity': IDENTIFIER_SELECT,
        'openid.assoc_handle': shared.handle,
        'openid.return_to': returnTo,
        'openid.realm': 'https://rp.example.org/',
        'openid.ns.sreg': SREG_NS_1_1,
        'openid.sreg.required': 'email',
        'openid.ns.ax': AX_NS,
        'openid.ax.mode': 'fetch_request',
        'openid.ax.type.email': 'http://axschema.org/contact/email',
        'openid.ax.required': 'email',
      }),
    );
    const released = releasableFields(request, { email: 'alice@example.com' }, ['email']);
    const assertion = await buildPositiveAssertion(
      { request, opEndpoint, claimedId: alice, identity: alice, extensions: buildExtensionResponses(request, { released }) },
      { store, clock, random },
    );
    const response = indirectResponse(returnTo, assertion);
    if (response.kind !== 'redirect') throw new Error('expected a redirect');

    const provider = { endpoint: opEndpoint, version: 'http://specs.openid.net/auth/2.0/signon', claimedIdentifier: alice, localIdentifier: alice };
    rp.loadDiscoveredInformation = (_key, callback) => callback(null, provider);
    rp.loadAssociation = (handle, callback) =>
      callback(null, handle === shared.handle ? { provider, type: 'sha256', secret: shared.secret.toString('base64') } : null);

    const result = await new Promise<Record<string, unknown> | undefined>((resolve, reject) =>
      rp.verifyAssertion(
        response.location,
        returnTo,
        (error, value) => (error ? reject(error) : resolve(value)),
        false,
        [new rp.SimpleRegistration({ email: 'required' }), new rp.AttributeExchange({ 'http://axschema.org/contact/email': 'required' })],
        true,
      ),
    );
    expect(result).toMatchObject({ authenticated: true, claimedIdentifier: alice, email: 'alice@example.com' });
  });
});
