/**
 * The npm `openid` package (a CommonJS module without types), as the sample relying party uses it.
 * It keeps associations, discovered information and nonces in module memory, as one RP process would.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openid = require('openid') as NpmOpenId;

type Callback<T> = (error: { message?: string } | string | null, value: T) => void;

export interface VerifiedAssertion {
  authenticated?: boolean;
  claimedIdentifier?: string;
  [attribute: string]: unknown;
}

interface RelyingPartyInstance {
  authenticate(identifier: string, immediate: boolean, callback: Callback<string | null>): void;
  verifyAssertion(assertionUrl: string, callback: Callback<VerifiedAssertion | undefined>): void;
}

interface NpmOpenId {
  RelyingParty: new (returnUrl: string, realm: string | null, stateless: boolean, strict: boolean, extensions: unknown[]) => RelyingPartyInstance;
  SimpleRegistration: new (options: Record<string, string>) => unknown;
  saveAssociation(provider: unknown, type: string, handle: string, secret: string, expirySeconds: number, callback: (error: null) => void): void;
  loadAssociation(handle: string, callback: (error: null, association: unknown) => void): void;
  removeAssociation(handle: string): boolean;
}

/**
 * The package's own association store arms a timer for each association's whole lifetime (14 days),
 * which keeps the process alive after everything else stopped. Its documented hook lets an RP
 * supply its own store: this one has the same in-memory semantics with timers that do not hold the
 * process open. test/support/rp.ts imports this module for the same reason.
 */
const associations = new Map<string, { provider: unknown; type: string; secret: string }>();
openid.saveAssociation = (provider, type, handle, secret, expirySeconds, callback) => {
  setTimeout(() => associations.delete(handle), expirySeconds * 1000).unref();
  associations.set(handle, { provider, type, secret });
  callback(null);
};
openid.loadAssociation = (handle, callback) => callback(null, associations.get(handle) ?? null);
openid.removeAssociation = (handle) => associations.delete(handle);

/** The sreg fields the npm package copies into a verified result. */
export const SREG_RESULT_FIELDS = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'] as const;

export interface RelyingParty {
  /** The URL to send the browser to, after discovery and (when possible) association. */
  authenticate(identifier: string): Promise<string>;
  /** Checks the OP's answer, given as the return_to URL with the answer's fields in its query. */
  verifyAssertion(assertionUrl: string): Promise<VerifiedAssertion>;
}

export function relyingParty(returnUrl: string, realm: string, sreg: Record<string, 'required' | 'optional'>): RelyingParty {
  const rp = new openid.RelyingParty(returnUrl, realm, false, false, [new openid.SimpleRegistration(sreg)]);
  return {
    authenticate: (identifier) =>
      promisify<string | null>((cb) => rp.authenticate(identifier, false, cb)).then((url) => {
        if (!url) throw new Error('the provider gave no authentication URL');
        return url;
      }),
    verifyAssertion: (assertionUrl) => promisify<VerifiedAssertion | undefined>((cb) => rp.verifyAssertion(assertionUrl, cb)).then((r) => r ?? {}),
  };
}

function promisify<T>(run: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    run((error, value) => (error ? reject(new Error(typeof error === 'string' ? error : (error.message ?? 'unknown error'))) : resolve(value))),
  );
}
