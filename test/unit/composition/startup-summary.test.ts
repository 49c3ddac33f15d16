import { startupSummary } from '../../../src/composition/startup-summary';
import { logFormatFor } from '../../../src/shared/logger';

describe('the start-up lines', () => {
  const base = { url: 'http://127.0.0.1:3000', publicUrl: 'https://id.example.net', nodeEnv: 'development' };

  it('say where the API, the OpenID endpoints and readiness are, then what to do next', () => {
    const lines = startupSummary({ ...base, generatedAdminToken: null });
    expect(lines[0]).toBe('GraphQL API: http://127.0.0.1:3000/graphql');
    expect(lines[1]).toMatch(/^OpenID endpoints: https:\/\/id\.example\.net\/c\/\{slug\}\/ per customer .*https:\/\/id\.example\.net\/c\/\{slug\}\/\.well-known\/openid-configuration/);
    expect(lines[2]).toBe('readiness: http://127.0.0.1:3000/readyz');
    expect(lines[3]).toMatch(/^queue board: http:\/\/127\.0\.0\.1:3000\/admin\/queues /);
    expect(lines.at(-1)).toMatch(/^next: create a customer \(README, 'Creating a customer with curl'\), or .*npm run demo/);
    expect(lines).toHaveLength(5);
  });

  it('show a generated admin token in development', () => {
    expect(startupSummary({ ...base, generatedAdminToken: 'tok-123' })).toContainEqual(expect.stringMatching(/^admin token \(development only.*\): tok-123$/));
  });

  it('never show an admin token in production', () => {
    expect(startupSummary({ ...base, nodeEnv: 'production', generatedAdminToken: 'tok-123' }).join('\n')).not.toContain('tok-123');
  });
});

describe('LOG_FORMAT=auto', () => {
  it('is pretty only for a terminal in development', () => {
    expect(logFormatFor('auto', { isTTY: true, nodeEnv: 'development' })).toBe('pretty');
    expect(logFormatFor('auto', { isTTY: false, nodeEnv: 'development' })).toBe('json');
    expect(logFormatFor('auto', { isTTY: true, nodeEnv: 'production' })).toBe('json');
    expect(logFormatFor('auto', { isTTY: true, nodeEnv: 'test' })).toBe('json');
  });

  it('gives way to an explicit json or pretty', () => {
    expect(logFormatFor('json', { isTTY: true, nodeEnv: 'development' })).toBe('json');
    expect(logFormatFor('pretty', { isTTY: false, nodeEnv: 'production' })).toBe('pretty');
  });
});
