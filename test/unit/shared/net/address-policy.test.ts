import { classifyAddress, clientKey, hostLiteral } from '../../../../src/shared/net/address-policy';

describe('classifyAddress (which addresses a server-side request may reach)', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['100.64.0.1', 'carrier_grade_nat'],
    ['100.127.255.255', 'carrier_grade_nat'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['192.0.0.8', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link_local'],
    ['febf::1', 'link_local'],
    ['fc00::1', 'unique_local'],
    ['fd00:ec2::254', 'unique_local'], // AWS instance metadata over IPv6
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:2::1', 'benchmarking'],
    ['100::1', 'reserved'],
    ['::2:3:4:5', 'reserved'], // outside 2000::/3 and no IPv4 carrier form
    ['4000::1', 'reserved'],
    // IPv6 forms that carry an IPv4 address are judged by it.
    ['::ffff:127.0.0.1', 'loopback'], // mapped
    ['::ffff:7f00:1', 'loopback'], // mapped, as the WHATWG URL parser writes it
    ['::FFFF:7F00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link_local'],
    ['::ffff:0:7f00:1', 'loopback'], // IPv4-translated (RFC 6145)
    ['::7f00:1', 'loopback'], // IPv4-compatible (deprecated)
    ['::10.0.0.1', 'private'],
    ['::0.0.0.2', 'unspecified'],
    ['64:ff9b::7f00:1', 'loopback'], // NAT64 (RFC 6052)
    ['64:ff9b::169.254.169.254', 'link_local'],
    ['64:ff9b:1::a00:1', 'reserved'], // local-use NAT64 (RFC 8215)
    ['2002:7f00:1::1', 'loopback'], // 6to4
    ['2002:a9fe:a9fe::', 'link_local'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'], // Teredo, client 127.0.0.1 (inverted)
    ['2001:0:a00:1::1', 'private'], // Teredo, server 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'reserved'], // Teredo between public addresses (client 8.8.8.8): still not a webhook receiver
  ])('%s is %s', (address, expected) => expect(classifyAddress(address)).toBe(expected));

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '198.20.0.1', '2606:4700::1111', '2a00:1450:4001:82b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    '%s is public',
    (address) => expect(classifyAddress(address)).toBe('public'),
  );

  // Only canonical forms are read: another parser (a resolver, an HTTP library) must not read a different address.
  it.each(['127.1', '0177.0.0.1', '0x7f.0.0.1', '2130706433', '127.0.0.1.', ' 127.0.0.1', 'fe80::1%eth0', '::1%25lo', '[::1]', 'localhost', '', '1.2.3.4.5', '::ffff:1.2.3'])(
    '%j is not an address',
    (text) => expect(classifyAddress(text)).toBe('not_an_address'),
  );
});

describe('hostLiteral (the address in a WHATWG URL host)', () => {
  it('takes IPv4 as the parser writes it and IPv6 out of its brackets, and answers null for a name', () => {
    expect(hostLiteral(new URL('https://0x7f.1/').hostname)).toBe('127.0.0.1');
    expect(hostLiteral(new URL('https://[::ffff:127.0.0.1]/').hostname)).toBe('::ffff:7f00:1');
    expect(hostLiteral(new URL('https://hooks.example.com/').hostname)).toBeNull();
    expect(hostLiteral('[not-an-address]')).toBe('not-an-address');
  });
});

describe('clientKey (whom the abuse limits count)', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::ffff:cb00:7109', '203.0.113.9'],
    ['2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:bbbb:cccc:dddd:eeee', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['not an address', 'invalid'],
    ['', 'invalid'],
  ])('%j counts as %j', (raw, key) => {
    expect(clientKey(raw)).toBe(key);
  });
});
