import ipaddr from 'ipaddr.js';

/**
 * Why an outbound request may not reach an address. Every server-side fetch the service makes on a
 * customer's behalf (webhook deliveries, an RP's discovery document) is refused for these, so a URL
 * a customer controls cannot reach the service's own host, its network or cloud metadata.
 */
export type AddressRefusal =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'carrier_grade_nat'
  | 'unique_local'
  | 'multicast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  /** Not one plain IP address in canonical form (octal, hex or short IPv4, an IPv6 zone id, a name). */
  | 'not_an_address';

export type AddressClass = 'public' | AddressRefusal;

type Ranges = ReadonlyArray<readonly [AddressRefusal, readonly string[]]>;

// Checked in this order; the first match names the reason. RFC 6890 is the registry behind both.
const IPV4_RANGES: Ranges = [
  ['unspecified', ['0.0.0.0/8']], // "this network" (RFC 1122); 0.0.0.0 reaches the local host on Linux
  ['loopback', ['127.0.0.0/8']],
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']], // RFC 1918
  ['link_local', ['169.254.0.0/16']], // RFC 3927, and cloud metadata at 169.254.169.254
  ['carrier_grade_nat', ['100.64.0.0/10']], // RFC 6598
  ['documentation', ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']], // RFC 5737
  ['benchmarking', ['198.18.0.0/15']], // RFC 2544
  ['multicast', ['224.0.0.0/4']],
  ['reserved', ['192.0.0.0/24', '192.88.99.0/24', '240.0.0.0/4']], // protocol assignments, 6to4 relay anycast, class E and broadcast
];

const IPV6_RANGES: Ranges = [
  ['unspecified', ['::/128']],
  ['loopback', ['::1/128']],
  ['link_local', ['fe80::/10']],
  ['unique_local', ['fc00::/7']], // RFC 4193
  ['private', ['fec0::/10']], // site-local: deprecated (RFC 3879), still private where it is used
  ['multicast', ['ff00::/8']],
  ['documentation', ['2001:db8::/32', '3fff::/20']], // RFC 3849, RFC 9637
  ['benchmarking', ['2001:2::/48']], // RFC 5180
  // Discard-only (RFC 6666), local-use NAT64 (RFC 8215: translates into the local network), and
  // IETF protocol assignments (RFC 2928; holds Teredo, whose embedded addresses are checked first).
  ['reserved', ['100::/64', '64:ff9b:1::/48', '2001::/23']],
];

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** IPv6 forms that only carry an IPv4 address; a connection to one reaches that IPv4 address. */
const IPV4_CARRIERS = ['::ffff:0:0/96', '::ffff:0:0:0/96', '64:ff9b::/96', '::/96'].map((cidr) => ipaddr.IPv6.parseCIDR(cidr)); // mapped, translated (RFC 6145), NAT64 (RFC 6052), compatible (deprecated)
const SIX_TO_FOUR = ipaddr.IPv6.parseCIDR('2002::/16'); // RFC 3056: the IPv4 is bits 16..47
const TEREDO = ipaddr.IPv6.parseCIDR('2001::/32'); // RFC 4380: server in bits 32..63, client (inverted) in the last 32

function compile(ranges: Ranges) {
  return ranges.map(([reason, cidrs]) => [reason, cidrs.map((c) => ipaddr.parseCIDR(c))] as const);
}
const V4 = compile(IPV4_RANGES);
const V6 = compile(IPV6_RANGES);

/**
 * Classifies one IP address (as DNS answers it, or as a URL host without brackets): `public`, or
 * why it may not be reached. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64,
 * RFC 6145, 6to4, Teredo) are judged by the IPv4 address they carry. Anything that is not one
 * address in canonical form (dotted-decimal IPv4, or IPv6 without a zone id) is `not_an_address`,
 * so that no other parser can read it as a different address than this one did.
 */
export function classifyAddress(text: string): AddressClass {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return classifyV4(ipaddr.IPv4.parse(text));
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return 'not_an_address';
  return classifyV6(ipaddr.IPv6.parse(text));
}

/**
 * The address in a URL host as the WHATWG URL parser leaves it (`new URL(u).hostname`: IPv4 always
 * dotted-decimal, IPv6 in brackets), or null when the host is a name. A bracketed host is returned
 * without its brackets even when it is not a valid address, so that `classifyAddress` refuses it.
 */
export function hostLiteral(hostname: string): string | null {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  if (hostname.includes(':') || ipaddr.IPv4.isValid(hostname)) return hostname;
  return null;
}

function classifyV4(address: ipaddr.IPv4): AddressClass {
  for (const [reason, cidrs] of V4) if (cidrs.some((cidr) => address.match(cidr))) return reason;
  // ipaddr.js knows a few more special-purpose blocks (AS112, AMT); none is a webhook receiver.
  return address.range() === 'unicast' ? 'public' : 'reserved';
}

function classifyV6(address: ipaddr.IPv6): AddressClass {
  if (address.match(ipaddr.IPv6.parseCIDR('::/127'))) return address.parts[7] === 1 ? 'loopback' : 'unspecified';
  if (IPV4_CARRIERS.some((cidr) => address.match(cidr))) return classifyV4(lastIPv4(address.parts[6]!, address.parts[7]!));
  const embedded = address.match(SIX_TO_FOUR)
    ? [lastIPv4(address.parts[1]!, address.parts[2]!)]
    : address.match(TEREDO)
      ? [lastIPv4(address.parts[2]!, address.parts[3]!), lastIPv4(~address.parts[6]! & 0xffff, ~address.parts[7]! & 0xffff)]
      : [];
  for (const v4 of embedded) {
    const verdict = classifyV4(v4);
    if (verdict !== 'public') return verdict;
  }
  for (const [reason, cidrs] of V6) if (cidrs.some((cidr) => address.match(cidr))) return reason;
  // Only 2000::/3 is allocated for global unicast (RFC 4291 section 2.4).
  if (!address.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return address.range() === 'unicast' || address.range() === '6to4' ? 'public' : 'reserved';
}

function lastIPv4(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * Whom an abuse limit counts for a client address (a socket peer, or a trusted proxy's
 * X-Forwarded-For entry), as a parsed value, not as text: an IPv4 address (IPv4-mapped IPv6 read as
 * the IPv4 it carries) as itself, and an IPv6 address by its /64, which one subscriber gets whole,
 * so rotating through it buys no fresh limit. Anything else counts as one `invalid` client.
 */
export function clientKey(raw: string): string {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(raw.trim());
  } catch {
    return 'invalid';
  }
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([...parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
