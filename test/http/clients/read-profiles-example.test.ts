import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { App } from '../../../src/app';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { seedProfile } from '../../support/oauth';

const root = join(__dirname, '..', '..', '..');

// Inside the repository, so the compiled script finds graphql in node_modules; never in the SDK's dist/.
const outDir = join(root, 'test-output/sdk-examples');
const compiled = join(outDir, 'examples/read-profiles.js');

/** Compiles the sample integrator script as an integrator would (tsc), outside the package's dist/. */
function compileExample() {
  const tsconfig = join(root, 'clients/typescript/examples/tsconfig.json');
  const built = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig, '--noEmit', 'false', '--outDir', outDir], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the example does not compile:\n${built.stdout}${built.stderr}`);
}

/** Runs it as its own process (asynchronously: the server it talks to lives in this one). */
function runExample(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [compiled, ...args], { encoding: 'utf8', timeout: 30_000 }, (_err, stdout, stderr) =>
      resolve({ status: child.exitCode, stdout, stderr }),
    );
  });
}

describe('clients/typescript/examples/read-profiles.ts against a live server', () => {
  let app: App;
  let customerId: string;

  beforeAll(async () => {
    compileExample();
    app = await startTestApp();
  }, 60_000);
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    for (const name of ['alice', 'bob', 'carol']) await seedProfile(app, customerId, name, { email: `${name}@acme.example`, fullname: `${name} Fullname` });
    const other = await createTestCustomer(app, 'other');
    await seedProfile(app, other.customer.id, 'mallory', { email: 'mallory@other.example' });
  });

  async function registerClient(scopes: string[]) {
    return inContext(app, () => app.services.oauthClients.createClient({ customerId, name: 'Example integrator', scopes }));
  }

  it('reads its customer’s profiles page by page, sees FORBIDDEN at the field it has no scope for, and changes nothing', async () => {
    // The client could read fullnames too; the script asks for a token without profile.fullname.
    const { client, clientSecret } = await registerClient(['profiles:read', 'profile.email', 'profile.fullname']);
    const profilesBefore = await ownerSql(`select * from profile order by username`);
    const before = await tableCounts();

    const res = await runExample(app.url!, client.clientId, clientSecret);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout.trim().split('\n')).toEqual([
      'token scope: profiles:read profile.email',
      'profile alice email=alice@acme.example fullname=(withheld)',
      'profile bob email=bob@acme.example fullname=(withheld)',
      'profile carol email=carol@acme.example fullname=(withheld)',
      '3 profile(s) read',
      'withheld: fullname (FORBIDDEN, needs profile.fullname)',
      'updateProfile refused: FORBIDDEN (needs profiles:write)',
    ]);

    // Nothing but the issued token (and its audit event) was written.
    expect(await ownerSql(`select * from profile order by username`)).toEqual(profilesBefore);
    const after = await tableCounts();
    const changed = Object.fromEntries(Object.entries(after).filter(([table, n]) => n !== before[table]).map(([table, n]) => [table, n - before[table]!]));
    expect(changed).toEqual({ oauth_access_token: 1, audit_outbox: 1 });
  });

  it('fails with the token endpoint’s error when the client may not read emails', async () => {
    const { client, clientSecret } = await registerClient(['profiles:read']);
    const res = await runExample(app.url!, client.clientId, clientSecret);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/token endpoint: invalid_scope/);
  });

  it('fails with invalid_client for a wrong secret', async () => {
    const { client } = await registerClient(['profiles:read', 'profile.email']);
    const res = await runExample(app.url!, client.clientId, 'not-the-secret');
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/token endpoint: invalid_client/);
  });
});
