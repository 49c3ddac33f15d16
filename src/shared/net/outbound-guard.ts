import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { AddressRefusal, classifyAddress, hostLiteral } from './address-policy';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has; tests inject one that answers what they need. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo, as Node's own connections use). */
export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

/** A connection was refused before it was made: the address (or one the name resolves to) may not be reached. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(readonly reason: AddressRefusal) {
    super(`refused to connect to a ${reason.replace(/_/g, '-')} address`);
    this.name = 'AddressRefusedError';
  }
}

export interface OutboundGuardOptions {
  /** Development only: reach any address (local receivers on loopback or a private network). */
  allowPrivate: boolean;
  resolve?: Resolver;
}

/**
 * Server-side requests to URLs a customer chose (no server-side request forgery). Check the URL
 * when it is saved with `resolve`, and connect with `requestOptions`: the connection then re-checks
 * every address the name resolves to at that moment, so a name re-pointed at an internal address
 * after it was saved (DNS rebinding) is refused too, and the socket connects to the very address
 * that was checked.
 */
export class OutboundGuard {
  private readonly resolver: Resolver;

  constructor(private readonly options: OutboundGuardOptions) {
    this.resolver = options.resolve ?? systemResolver;
  }

  /** Throws AddressRefusedError unless `address` (one IP address) may be reached. */
  checkAddress(address: string): void {
    if (this.options.allowPrivate) return;
    const verdict = classifyAddress(address);
    if (verdict !== 'public') throw new AddressRefusedError(verdict);
  }

  /**
   * The addresses a URL host (`new URL(u).hostname`) reaches, every one checked: a literal without
   * resolving, a name through the resolver. Throws AddressRefusedError, or the resolver's own error.
   */
  async resolve(hostname: string): Promise<ResolvedAddress[]> {
    const literal = hostLiteral(hostname);
    if (literal !== null) {
      if (classifyAddress(literal) === 'not_an_address') throw new AddressRefusedError('not_an_address');
      this.checkAddress(literal);
      return [{ address: literal, family: literal.includes(':') ? 6 : 4 }];
    }
    const addresses = await this.resolver(hostname);
    for (const { address } of addresses) this.checkAddress(address);
    return addresses;
  }

  /**
   * Options for `node:http`/`node:https` `request(url, …)` that connect only where `resolve` allows.
   * Node calls `lookup` for names only, never for an address literal, so a literal host is checked
   * here, now: this throws AddressRefusedError for a refused one.
   */
  requestOptions(url: URL): { lookup: LookupFunction } {
    const literal = hostLiteral(url.hostname);
    if (literal !== null) {
      if (classifyAddress(literal) === 'not_an_address') throw new AddressRefusedError('not_an_address');
      this.checkAddress(literal);
    }
    return { lookup: this.lookup };
  }

  /** A `net.LookupFunction`: resolves, and fails with AddressRefusedError when any address is refused. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const wanted = family === 0 ? resolved : resolved.filter((a) => a.family === family);
        if (wanted.length === 0) return callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 4);
        if (options.all) return (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, wanted);
        callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}
