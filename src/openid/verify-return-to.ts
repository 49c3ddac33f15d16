import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { returnToMatchesDiscovered } from './check-return-to';

/**
 * Return-URL verification by RP discovery (§9.2.1, §13), the pure half: reading the documents the
 * caller fetched from the realm (Yadis 1.0 §6.2: an XRDS, or an HTML page or header pointing at
 * one) and deciding whether return_to is among the URLs the RP published. The outbound fetch is
 * not protocol code and lives with the provider, behind an interface.
 */

/** §13: the service type under which an RP publishes its return_to URLs. */
export const RETURN_TO_SERVICE_TYPE = 'http://specs.openid.net/auth/2.0/return_to';

/**
 * What became of the verification of one checkid's return_to:
 * - VERIFIED: the realm's XRDS lists a return_to URL this one matches;
 * - UNVERIFIED: discovery worked but did not vouch for it (no XRDS, no return_to service, not listed);
 * - FAILED: discovery could not be run (timeout, refused address, too large, server error);
 * - SKIPPED: the customer switched verification off.
 */
export const RETURN_TO_VERIFICATION_STATUSES = ['VERIFIED', 'UNVERIFIED', 'FAILED', 'SKIPPED'] as const;
export type ReturnToVerificationStatus = (typeof RETURN_TO_VERIFICATION_STATUSES)[number];

export interface ReturnToVerificationOutcome {
  readonly status: ReturnToVerificationStatus;
  /** A short snake_case code saying why it is not VERIFIED; null when it is. */
  readonly reason: string | null;
}

/** What discovery on the realm found, before return_to is matched against it. */
export type RealmDiscoveryResult =
  | { readonly kind: 'found'; readonly returnTos: readonly string[] }
  | { readonly kind: 'unverified' | 'failed'; readonly reason: string };

/** Matches return_to against what discovery found (§9.2.1: realm rules, no wildcards in RP URIs). */
export function verifyReturnToByDiscovery(returnTo: string, discovered: RealmDiscoveryResult): ReturnToVerificationOutcome {
  if (discovered.kind !== 'found') return { status: discovered.kind === 'failed' ? 'FAILED' : 'UNVERIFIED', reason: discovered.reason };
  if (discovered.returnTos.length === 0) return { status: 'UNVERIFIED', reason: 'no_return_to_service' };
  if (!returnToMatchesDiscovered(returnTo, discovered.returnTos)) return { status: 'UNVERIFIED', reason: 'return_to_not_listed' };
  return { status: 'VERIFIED', reason: null };
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  // An XRDS is a few elements of text; entities beyond the XML built-ins have no business here.
  processEntities: false,
  isArray: (name) => ['XRD', 'Service', 'Type', 'URI'].includes(name),
  trimValues: true,
  parseTagValue: false,
});

function texts(values: unknown): string[] {
  if (!Array.isArray(values)) return [];
  return values
    .map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v !== null && '#text' in v ? String((v as { '#text': unknown })['#text']) : ''))
    .map((v) => decodeXmlEntities(v.trim()))
    .filter((v) => v !== '');
}

/** The five predefined XML entities and numeric references, the only ones an XRDS may use. */
function decodeXmlEntities(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_m, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name] as string;
  });
}

/**
 * The `<URI>`s of every `<Service>` of type return_to in the XRDS's final `<XRD>` (XRI Resolution
 * 2.0: the last XRD describes the resource), or undefined when the text is not an XRDS. Documents
 * with a DOCTYPE are refused: no XRDS needs one, and it is where entity expansion attacks live.
 */
export function returnToUrisFromXrds(xml: string): string[] | undefined {
  if (/<!DOCTYPE/i.test(xml) || XMLValidator.validate(xml) !== true) return undefined;
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const root = doc.XRDS as { XRD?: unknown[] } | undefined;
  if (typeof root !== 'object' || root === null || !Array.isArray(root.XRD) || root.XRD.length === 0) return undefined;
  const xrd = root.XRD[root.XRD.length - 1] as { Service?: unknown[] } | string;
  if (typeof xrd !== 'object' || !Array.isArray(xrd.Service)) return [];
  return xrd.Service.flatMap((service) => {
    if (typeof service !== 'object' || service === null) return [];
    const { Type, URI } = service as { Type?: unknown; URI?: unknown };
    return texts(Type).includes(RETURN_TO_SERVICE_TYPE) ? texts(URI) : [];
  });
}

/**
 * Yadis 1.0 §6.2.5: `<meta http-equiv="X-XRDS-Location" content="...">` in an HTML document, the
 * first such tag, with its content URL unescaped; undefined when there is none.
 */
export function xrdsLocationFromHtml(html: string): string | undefined {
  for (const [tag] of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attributes = new Map<string, string>();
    for (const match of tag.matchAll(/([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
      attributes.set(match[1]!.toLowerCase(), match[2] ?? match[3] ?? match[4] ?? '');
    }
    if (attributes.get('http-equiv')?.toLowerCase() === 'x-xrds-location' && attributes.get('content')) {
      return decodeXmlEntities(attributes.get('content')!.trim());
    }
  }
  return undefined;
}
