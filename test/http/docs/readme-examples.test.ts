import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openidClient from 'openid-client';
import * as sdk from '../../../clients/typescript/src';
import { App } from '../../../src/app';
import { resetDatabase, ownerSql, startPublicTestApp } from '../../support/app';
import { docExample } from '../../support/doc-examples';
import { fill, runShell, runModule, shellCommands, shellJson } from '../../support/doc-run';
import { TEST_ADMIN_TOKEN, testDatabaseUrl, testQueuePrefix } from '../../support/env';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { signIn } from '../../support/oidc-flow';
import { npmOpenid } from '../../support/rp';
import { waitUntil } from '../../support/wait';

/**
 * The README's examples against a live service, in the order a reader meets them, each answer
 * feeding the next (see doc-run.ts for the only changes a runner makes). Placeholders filled here:
 * `<customer id>` with the id createCustomer answered, `ops_…` with the operator token the first
 * command of 'operator-token' answered; CLIENT_ID / CLIENT_SECRET / CODE with the answers and the
 * sign-in they come from.
 */
type Answer = { data?: Record<string, any> | null; errors?: unknown[] }; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("the README's examples, pasted", () => {
  let app: App;
  let baseUrl: string;
  let env: Record<string, string>;
  let customerId: string;
  let apiKey: string;
  const readme = (id: string) => docExample('README.md', id);
  const sh = (id: string) => {
    const { lang, body } = readme(id);
    expect(lang).toBe('sh');
    return shellCommands(body);
  };
  const graphqlAnswer = async (command: string, extraEnv: Record<string, string> = {}): Promise<Answer> => {
    const answer = await shellJson<Answer>(command, { baseUrl: baseUrl, env: { ...env, ...extraEnv } });
    expect(answer.errors).toBeUndefined();
    return answer;
  };
  /** The answer has every key the README's answer comment shows, and the same value where it shows one. */
  const expectShownAnswer = (answer: Record<string, unknown>, shown: Record<string, unknown>) => {
    expect(Object.keys(answer).sort()).toEqual(Object.keys(shown).sort());
    for (const [key, value] of Object.entries(shown)) if (value !== '…') expect(answer[key]).toEqual(value);
  };

  beforeAll(async () => {
    app = await startPublicTestApp({ ROLE: 'all', QUEUE_PREFIX: `${testQueuePrefix()}-readme`, WEBHOOK_ALLOW_PRIVATE_URLS: 'true', AUDIT_DRAIN_INTERVAL_MS: '200' });
    baseUrl = app.url!;
    await resetDatabase();
    env = { ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  }, 60_000);
  afterAll(() => app?.stop());

  it("'create-customer' creates the customer and answers its API key once", async () => {
    const [command] = sh('create-customer');
    const answer = await graphqlAnswer(command!.text);
    const created = answer.data!.createCustomer;
    expect(created.apiKey).toEqual(expect.any(String));
    expect(created.customer).toMatchObject({ slug: 'acme', openidIdentifier: `${app.config.PUBLIC_URL}/c/acme/` });
    customerId = created.customer.id;
    apiKey = created.apiKey;
  });

  let oauthClient: { CLIENT_ID: string; CLIENT_SECRET: string };

  it("'create-oauth-client' registers a client and answers its secret once", async () => {
    const [command] = sh('create-oauth-client');
    const answer = await graphqlAnswer(fill(command!.text, { '<customer id>': customerId }));
    const created = answer.data!.createOAuthClient;
    expect(created.client.scopes).toEqual(['consents:read', 'profiles:read']);
    oauthClient = { CLIENT_ID: created.clientId, CLIENT_SECRET: created.clientSecret };
  });

  it("'client-credentials-token' gets the token the README shows", async () => {
    const [command] = sh('client-credentials-token');
    expect(command!.answers).toHaveLength(1);
    const answer = await shellJson(command!.text, { baseUrl: baseUrl, env: oauthClient });
    expectShownAnswer(answer, command!.answers[0]!);
  });

  it("'login-code-token' exchanges the code of a real sign-in where alice shared her email", async () => {
    // The customer trusts only the realm the README gives it: the RP signs in under that realm.
    const { rp, browser, requestId } = await startLogin(app, 'acme', { realm: 'https://*.acme.example.com/', returnUrl: 'https://shop.acme.example.com/finish', extensions: [new npmOpenid.SimpleRegistration({ email: 'required', fullname: 'optional' })] });
    const pb = await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'false', sreg_email: 'alice@example.com', sreg_fullname: 'Alice Liddell' });
    expect(pb.status).toBe(200);
    const form = consentForm((await browser.get(`${baseUrl}/c/acme/ows_return?request_id=${requestId}`)).body);
    const back = await browser.postForm(`${baseUrl}/c/acme/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ['share', 'email'],
      ['decision', 'allow'],
    ]);
    expect(await rp.verify(back.location!)).toMatchObject({ authenticated: true });
    const code = new URL(back.location!).searchParams.get('openid.ids.code')!;
    const [command] = sh('login-code-token');
    const answer = await shellJson(command!.text, { baseUrl: baseUrl, env: { ...oauthClient, CODE: code } });
    expectShownAnswer(answer, command!.answers[0]!);
  });

  let oidcClient: { clientId: string; clientSecret: string };

  it("'create-oidc-client' registers a relying party", async () => {
    const [command] = sh('create-oidc-client');
    const answer = await graphqlAnswer(fill(command!.text, { '<customer id>': customerId }));
    oidcClient = answer.data!.createOidcClient;
    expect(oidcClient.clientSecret).toEqual(expect.any(String));
  });

  it("'oidc-rp-openid-client' signs a person in with openid-client, refreshes and reads UserInfo", async () => {
    const { lang, body } = readme('oidc-rp-openid-client');
    expect(lang).toBe('js');
    // The person's way through the AW and the consent page happens where the example says "Back at
    // …": the runner inserts that one line. The issuer is the live service's, over plain http on
    // loopback, which openid-client allows only when told: its discovery gets that option.
    const source = fill(body, {
      'https://id.example.com/c/acme': `${app.config.PUBLIC_URL}/c/acme`,
      '// Back at https://shop.example.org/callback': 'const currentUrl = await personSignsIn(url);\n// Back at https://shop.example.org/callback',
    });
    const insecure = { ...openidClient, discovery: (...args: Parameters<typeof openidClient.discovery>) => openidClient.discovery(args[0], args[1], args[2], args[3], { execute: [openidClient.allowInsecureRequests] }) };
    const personSignsIn = async (url: URL) => (await signIn(app, 'acme', apiKey, url, { username: 'bob', email: 'bob@example.com', fullname: 'Bob Builder' })).location;
    const result = (await runModule(source, {
      modules: { 'openid-client': insecure },
      globals: { CLIENT_ID: oidcClient.clientId, CLIENT_SECRET: oidcClient.clientSecret, personSignsIn },
      epilogue: 'return { sub, profile, later };',
    })) as { sub: string; profile: Record<string, unknown>; later: { access_token: string } };
    expect(result.sub).toBe('bob');
    expect(result.profile).toMatchObject({ sub: 'bob' });
    expect(result.later.access_token).toEqual(expect.any(String));
  });

  it("'operator-token' creates a support token that then asks who it is", async () => {
    const [create, me] = sh('operator-token');
    const created = await graphqlAnswer(fill(create!.text, { '<customer id>': customerId }));
    const token = created.data!.createOperatorToken.token as string;
    expect(token).toMatch(/^ops_/);
    const answer = await graphqlAnswer(fill(me!.text, { 'ops_…': token }));
    expect(answer.data!.me).toMatchObject({ kind: 'OPERATOR_TOKEN', role: 'SUPPORT', customerId });
  });

  it("'privacy-center-settings' opens the customer's privacy center, with deletions held for review, in English and German", async () => {
    const [command] = sh('privacy-center-settings');
    const answer = await graphqlAnswer(fill(command!.text, { '<customer id>': customerId }));
    expect(answer.data!.updatePrivacyCenter.customer.privacyCenter).toEqual({ isEnabled: true, deletionMode: 'REVIEW', languages: ['en', 'de'] });
    // The page is open now: its signed-out page answers at the documented address.
    const page = await fetch(`${baseUrl}/c/acme/account`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme');
  });

  it("'sdk-read-profiles' reads profiles through the SDK, with fullname withheld, and pages through alice's audit events", async () => {
    const { lang, body } = readme('sdk-read-profiles');
    expect(lang).toBe('ts');
    const client = await graphql<{ createOAuthClient: { clientId: string; clientSecret: string } }>(
      baseUrl,
      'mutation($input: CreateOAuthClientInput!) { createOAuthClient(input: $input) { clientId clientSecret } }',
      { input: { customerId, name: 'SDK reader', scopes: ['profiles:read', 'profile.email', 'audit:read', 'audit.personal'] } },
    );
    expect(client.errors).toBeUndefined();
    // alice's sign-in above is in the audit trail once the outbox is drained.
    await waitUntil('the audit events of alice', async () => (await ownerSql("select count(*)::int as n from audit_event where customer_id = ?", [customerId]))[0].n > 0);
    const printed: string[] = [];
    await runModule(fill(body, { 'https://id.example.net': baseUrl }), {
      modules: { '@identity-services/client': sdk },
      globals: {
        CLIENT_ID: client.data!.createOAuthClient.clientId,
        CLIENT_SECRET: client.data!.createOAuthClient.clientSecret,
        console: { log: (...args: unknown[]) => printed.push(args.join(' ')) },
      },
    });
    expect(printed).toContain('alice alice@example.com');
    expect(printed).toContain('profiles.nodes.0.fullname withheld, needs profile.fullname');
    expect(printed.filter((line) => / login\.succeeded [A-Z]+$/.test(line))).toHaveLength(1);
  });

  it("'verify-audit-chain' verifies the customer's chain", async () => {
    const [command] = sh('verify-audit-chain');
    const answer = await graphqlAnswer(fill(command!.text, { '<customer id>': customerId }));
    expect(answer.data!.verifyAuditChain).toMatchObject({ ok: true, brokenEventId: null, reason: null });
    expect(answer.data!.verifyAuditChain.eventsChecked).toBeGreaterThan(0);
  });

  it("'webhook-receiver' accepts a real delivery of ours and refuses a forged one", async () => {
    const { lang, body } = readme('webhook-receiver');
    expect(lang).toBe('ts');
    const created = await graphql<{ createWebhookEndpoint: { endpoint: { id: string }; signingSecret: string } }>(
      baseUrl,
      'mutation($c: ID!, $input: CreateWebhookEndpointInput!) { createWebhookEndpoint(customerId: $c, input: $input) { endpoint { id } signingSecret } }',
      { c: customerId, input: { url: 'http://127.0.0.1:9/hooks/identity', events: ['login.succeeded'] } },
    );
    expect(created.errors).toBeUndefined();
    const { endpoint, signingSecret } = created.data!.createWebhookEndpoint;
    // The example builds `app` and leaves listening to the reader: the runner hands it back and listens.
    const receiver = (await runModule(body, {
      modules: { express, '@identity-services/client': sdk },
      globals: { process: { env: { WEBHOOK_SECRET: signingSecret } } },
      epilogue: 'return app;',
    })) as express.Express;
    const server = receiver.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/identity`;
      const moved = await graphql(baseUrl, 'mutation($id: ID!, $input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { id } }', { id: endpoint.id, input: { url } });
      expect(moved.errors).toBeUndefined();
      const sent = await graphql<{ sendTestWebhook: { id: string } }>(baseUrl, 'mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }', { id: endpoint.id });
      expect(sent.errors).toBeUndefined();
      const status = async () =>
        (await graphql<{ webhookDeliveries: { nodes: Array<{ id: string; status: string; attempts: Array<{ statusCode: number | null }> }> } }>(
          baseUrl,
          'query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f) { nodes { id status attempts { statusCode } } } }',
          { f: { endpointId: endpoint.id } },
        )).data!.webhookDeliveries.nodes.find((d) => d.id === sent.data!.sendTestWebhook.id);
      await waitUntil('the test delivery to succeed', async () => (await status())?.status === 'SUCCEEDED', { timeoutMs: 20_000 });
      expect((await status())!.attempts.map((a) => a.statusCode)).toEqual([204]);

      const forged = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ids-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }, body: '{"id":"x"}' });
      expect(forged.status).toBe(400);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("'rotate-data-keys' re-wraps every customer key under the newest version", async () => {
    const [command] = sh('rotate-data-keys');
    const answer = await graphqlAnswer(command!.text);
    expect(answer.data!.rotateDataKeys).toMatchObject({ failed: 0, isComplete: true, versions: { pendingKeys: 0 } });
  });

  it("'key-hierarchy' names tables that exist", async () => {
    const { body } = readme('key-hierarchy');
    const named = [...body.matchAll(/\b(keyring\.[a-z_]+|profile|auth_request|consent_decision|oauth_login_code)\b/g)].map((m) => m[1]!);
    expect(named).toEqual(expect.arrayContaining(['keyring.customer_key', 'keyring.person_key', 'profile', 'auth_request']));
    for (const table of named) {
      const [row] = await ownerSql('select to_regclass(?) is not null as found', [table.includes('.') ? table : `public.${table}`]);
      expect({ table, found: row.found }).toEqual({ table, found: true });
    }
  });

  it("'backup-data' and 'backup-keyring' dump the data without the keyring, and the keyring alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ids-readme-backup-'));
    try {
      const dumpEnv = { MIGRATION_DATABASE_URL: testDatabaseUrl() };
      for (const id of ['backup-data', 'backup-keyring']) {
        const result = await runShell(readme(id).body.trim(), { env: dumpEnv, cwd: dir });
        expect({ id, code: result.code, stderr: result.stderr }).toEqual({ id, code: 0, stderr: '' });
      }
      const list = async (file: string) => (await runShell(`pg_restore --list ${file}`, { cwd: dir })).stdout;
      const data = await list('data.dump');
      expect(data).toMatch(/TABLE DATA public profile /);
      expect(data).not.toMatch(/ keyring /);
      const keyring = await list('keyring.dump');
      expect(keyring).toMatch(/TABLE DATA keyring customer_key /);
      expect(keyring).not.toMatch(/ public profile /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
