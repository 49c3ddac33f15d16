import type { LookupAddress } from 'node:dns';
import { AddressRefusedError, OutboundGuard, ResolvedAddress } from '../../../../src/shared/net/outbound-guard';

/** Calls the guard's `lookup` as Node's net.connect does, and answers what it called back with. */
function lookup(guard: OutboundGuard, hostname: string, options: { all?: boolean; family?: number }): Promise<{ err: Error | null; result: unknown }> {
  const { lookup: fn } = guard.requestOptions(new URL(`https://${hostname}/`));
  return new Promise((resolve) => fn(hostname, options, (err: Error | null, address: string | LookupAddress[], family?: number) => resolve({ err, result: options.all ? address : { address, family } })));
}

describe('OutboundGuard', () => {
  const answers: Record<string, ResolvedAddress[]> = {
    'public.example': [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }],
    'rebound.example': [{ address: '93.184.216.34', family: 4 }, { address: '::ffff:7f00:1', family: 6 }],
    'metadata.example': [{ address: '169.254.169.254', family: 4 }],
  };
  const resolve = async (host: string) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };
  const strict = new OutboundGuard({ allowPrivate: false, resolve });

  it('hands Node the addresses of a public name, one or all, of the family asked for', async () => {
    expect(await lookup(strict, 'public.example', { all: true })).toEqual({ err: null, result: answers['public.example'] });
    expect(await lookup(strict, 'public.example', {})).toEqual({ err: null, result: { address: '93.184.216.34', family: 4 } });
    expect(await lookup(strict, 'public.example', { family: 6 })).toEqual({ err: null, result: { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 } });
  });

  it('refuses the connection when any address of the name may not be reached', async () => {
    for (const host of ['rebound.example', 'metadata.example']) {
      const { err } = await lookup(strict, host, { all: true });
      expect(err).toBeInstanceOf(AddressRefusedError);
    }
    expect((await lookup(strict, 'rebound.example', { all: true })).err).toMatchObject({ code: 'ERR_ADDRESS_REFUSED', reason: 'loopback' });
  });

  it('passes the resolver error on for a name that does not resolve', async () => {
    expect((await lookup(strict, 'missing.example', {})).err).toMatchObject({ code: 'ENOTFOUND' });
  });

  it('refuses an address literal before any connection (Node does not call lookup for one)', () => {
    expect(() => strict.requestOptions(new URL('https://[::ffff:127.0.0.1]:8443/'))).toThrow(AddressRefusedError);
    expect(() => strict.requestOptions(new URL('https://0x7f.1/'))).toThrow(AddressRefusedError);
    expect(strict.requestOptions(new URL('https://93.184.216.34/'))).toEqual({ lookup: expect.any(Function) });
  });

  it('checks a literal at save time without resolving it, and a name through the resolver', async () => {
    await expect(strict.resolve('[::ffff:a9fe:a9fe]')).rejects.toMatchObject({ reason: 'link_local' });
    await expect(strict.resolve('[not-an-address]')).rejects.toMatchObject({ reason: 'not_an_address' });
    await expect(strict.resolve('93.184.216.34')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(strict.resolve('rebound.example')).rejects.toBeInstanceOf(AddressRefusedError);
  });

  it('lets everything through with the development setting, except what is not an address', async () => {
    const dev = new OutboundGuard({ allowPrivate: true, resolve });
    expect((await lookup(dev, 'rebound.example', { all: true })).err).toBeNull();
    await expect(dev.resolve('[::1]')).resolves.toEqual([{ address: '::1', family: 6 }]);
    await expect(dev.resolve('[fe80::1%eth0]')).rejects.toMatchObject({ reason: 'not_an_address' });
  });
});
