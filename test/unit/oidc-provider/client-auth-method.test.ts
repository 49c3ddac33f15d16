import { InvalidClientError, InvalidRequestError } from '../../../src/oauth';
import { JWT_BEARER_ASSERTION, presentedClient } from '../../../src/oidc-provider/client-auth-method';

const form = (entries: Record<string, string>) => new Map(Object.entries(entries));
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('which client authentication method a request uses (OIDC Core §9)', () => {
  it('reads client_secret_basic, client_secret_post, private_key_jwt and none', () => {
    expect(presentedClient(basic('cli_a', 's3cret'), form({}))).toEqual({ method: 'client_secret_basic', clientId: 'cli_a', clientSecret: 's3cret' });
    expect(presentedClient(undefined, form({ client_id: 'cli_a', client_secret: 's3cret' }))).toEqual({ method: 'client_secret_post', clientId: 'cli_a', clientSecret: 's3cret' });
    expect(presentedClient(undefined, form({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'a.b.c' }))).toEqual({ method: 'private_key_jwt', clientId: null, assertion: 'a.b.c' });
    expect(presentedClient(undefined, form({ client_id: 'cli_a', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'a.b.c' }))).toMatchObject({ clientId: 'cli_a' });
    expect(presentedClient(undefined, form({ client_id: 'cli_a' }))).toEqual({ method: 'none', clientId: 'cli_a' });
  });

  it('refuses two methods at once as invalid_request (RFC 6749 §2.3)', () => {
    expect(() => presentedClient(basic('cli_a', 's'), form({ client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'a.b.c' }))).toThrow(InvalidRequestError);
    expect(() => presentedClient(undefined, form({ client_secret: 's', client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: 'a.b.c' }))).toThrow(InvalidRequestError);
    expect(() => presentedClient(basic('cli_a', 's'), form({ client_secret: 's' }))).toThrow(InvalidRequestError);
  });

  it('refuses no client at all, another assertion type or an empty assertion as invalid_client', () => {
    expect(() => presentedClient(undefined, form({}))).toThrow(InvalidClientError);
    expect(() => presentedClient(undefined, form({ client_assertion_type: 'urn:other', client_assertion: 'a.b.c' }))).toThrow(InvalidClientError);
    expect(() => presentedClient(undefined, form({ client_assertion_type: JWT_BEARER_ASSERTION }))).toThrow(InvalidClientError);
    expect(() => presentedClient('Bearer abc', form({}))).toThrow(InvalidClientError);
  });
});
