import { generateApiKey, hashApiKey } from '../../../src/customers/api-key';
import { cryptoRandom } from '../../../src/shared/random';

describe('customer API keys', () => {
  it('are at least 32 characters from the CSPRNG and never repeat', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey(cryptoRandom)));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key.length).toBeGreaterThanOrEqual(32);
  });

  it('are stored as a hash that does not contain the key', () => {
    const key = generateApiKey(cryptoRandom);
    const hash = hashApiKey(key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key.slice(4, 20));
  });
});
