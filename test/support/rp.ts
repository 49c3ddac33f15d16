/**
 * The npm `openid` package as a real relying party, wrapped in promises. It keeps associations,
 * discoveries and nonces in module memory, as a single RP process would.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openid = require('openid') as NpmOpenId;

export interface NpmProvider {
  endpoint: string;
  version: string;
  claimedIdentifier?: string;
  localIdentifier?: string;
}

type Callback<T> = (error: { message?: string } | string | null, value: T) => void;

interface RelyingPartyInstance {
  authenticate(identifier: string, immediate: boolean, callback: Callback<string | null>): void;
  verifyAssertion(url: string, callback: Callback<Record<string, unknown> | undefined>): void;
}

interface NpmOpenId {
  RelyingParty: new (returnUrl: string, realm: string | null, stateless: boolean, strict: boolean, extensions: unknown[]) => RelyingPartyInstance;
  SimpleRegistration: new (options: Record<string, string>) => unknown;
  AttributeExchange: new (options: Record<string, string>) => unknown;
  PAPE: new (options: Record<string, string>) => unknown;
  discover(identifier: string, strict: boolean, callback: Callback<NpmProvider[] | null>): void;
  associate(provider: NpmProvider, callback: Callback<Record<string, string> | null>, strict: boolean, algorithm: string): void;
}

function promisify<T>(run: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    run((error, value) => (error ? reject(new Error(typeof error === 'string' ? error : (error.message ?? JSON.stringify(error)))) : resolve(value))),
  );
}

// The package's own association store arms a 14-day timer per association, which would keep the
// test process alive; the demo module installs a store whose timers do not (same module instance).
import '../../demo/npm-openid';

export const npmOpenid = openid;

export function discover(identifier: string): Promise<NpmProvider[]> {
  return promisify<NpmProvider[] | null>((cb) => openid.discover(identifier, false, cb)).then((p) => p ?? []);
}

export function associate(provider: NpmProvider, algorithm: 'DH-SHA256' | 'DH-SHA1' | 'no-encryption-256' | 'no-encryption'): Promise<Record<string, string>> {
  return promisify<Record<string, string> | null>((cb) => openid.associate(provider, cb, false, algorithm)).then((a) => a ?? {});
}

export interface RpOptions {
  returnUrl: string;
  realm?: string;
  stateless?: boolean;
  extensions?: unknown[];
}

/** A relying party; `start` gives the URL the browser is sent to, `verify` checks the answer. */
export function relyingParty(options: RpOptions) {
  const rp = new openid.RelyingParty(options.returnUrl, options.realm ?? null, options.stateless ?? false, false, options.extensions ?? []);
  return {
    start: (identifier: string, immediate = false) => promisify<string | null>((cb) => rp.authenticate(identifier, immediate, cb)).then((u) => u!),
    verify: (assertionUrl: string) => promisify<Record<string, unknown> | undefined>((cb) => rp.verifyAssertion(assertionUrl, cb)).then((r) => r ?? {}),
  };
}

/** Follows one hop as a browser would, without following the redirect: returns status and Location. */
export async function browserGet(url: string): Promise<{ status: number; location: string | null; body: string; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), headers: res.headers };
}
