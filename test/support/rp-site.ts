import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the RP site received: path and Accept header. */
export interface RpSiteHit {
  path: string;
  accept: string | undefined;
}

/** How the site answers a GET of `path` (its own origin is passed in, for absolute links). */
export type RpSitePage = (path: string, origin: string) => { status: number; contentType?: string; headers?: Record<string, string>; body?: string };

/** An XRDS publishing `returnTos` as `…/2.0/return_to` services (OpenID 2.0 §13). */
export function returnToXrds(returnTos: readonly string[]): string {
  const services = returnTos.map(
    (uri) => `    <Service priority="0">\n      <Type>http://specs.openid.net/auth/2.0/return_to</Type>\n      <URI>${uri.replace(/&/g, '&amp;')}</URI>\n    </Service>`,
  );
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">', '  <XRD>', ...services, '  </XRD>', '</xrds:XRDS>', ''].join('\n');
}

/**
 * A relying party's web site on loopback for RP discovery: answers each GET as `page` says and
 * records every request, so tests can count fetches.
 */
export async function startRpSite(page: RpSitePage): Promise<{ origin: string; hits: RpSiteHit[]; stop(): Promise<void> }> {
  const hits: RpSiteHit[] = [];
  let origin = '';
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    hits.push({ path: req.url ?? '/', accept: req.headers.accept });
    const answer = page(req.url ?? '/', origin);
    res.statusCode = answer.status;
    if (answer.contentType) res.setHeader('content-type', answer.contentType);
    for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
    res.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    hits,
    stop: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
