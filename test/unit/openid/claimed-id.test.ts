import { claimedIdFor, isClaimableUsername, usernameFromClaimedId } from '../../../src/openid';

const opBase = 'https://op.example.com/c/acme';

describe('our claimed identifiers', () => {
  it.each([
    ['alice', 'https://op.example.com/c/acme/id/alice'],
    ['alice@example.com', 'https://op.example.com/c/acme/id/alice%40example.com'],
    ['a/b c', 'https://op.example.com/c/acme/id/a%2Fb%20c'],
    ['zoë', 'https://op.example.com/c/acme/id/zo%C3%AB'],
  ])('round-trips %j through %s', (username, url) => {
    expect(claimedIdFor(opBase, username)).toBe(url);
    expect(usernameFromClaimedId(opBase, url)).toBe(username);
  });

  it('reads back identifiers an RP normalised (case of host and escapes, default port, fragment)', () => {
    expect(usernameFromClaimedId(opBase, 'HTTPS://OP.example.com:443/c/acme/id/alice%40example.com#2')).toBe('alice@example.com');
    expect(usernameFromClaimedId(opBase, 'https://op.example.com/c/acme/id/zo%c3%ab')).toBe('zoë');
    expect(usernameFromClaimedId(`${opBase}/`, 'https://op.example.com/c/acme/id/alice')).toBe('alice');
  });

  it.each([
    ['another tenant', 'https://op.example.com/c/other/id/alice'],
    ['another host', 'https://evil.example.com/c/acme/id/alice'],
    ['another scheme', 'http://op.example.com/c/acme/id/alice'],
    ['an extra segment', 'https://op.example.com/c/acme/id/alice/extra'],
    ['a query', 'https://op.example.com/c/acme/id/alice?x=1'],
    ['no username', 'https://op.example.com/c/acme/id/'],
    ['identifier_select', 'http://specs.openid.net/auth/2.0/identifier_select'],
    ['a broken escape', 'https://op.example.com/c/acme/id/%C3'],
  ])('does not read a username from %s', (_label, url) => {
    expect(usernameFromClaimedId(opBase, url)).toBeUndefined();
  });

  it('refuses usernames that cannot survive URL normalisation', () => {
    expect(isClaimableUsername('..')).toBe(false);
    expect(() => claimedIdFor(opBase, '.')).toThrow(RangeError);
    expect(() => claimedIdFor(opBase, 'a\nb')).toThrow(RangeError);
  });
});
