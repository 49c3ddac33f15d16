import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { App } from '../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../support/app';
import { boardApi } from '../support/admin-board';
import { TEST_REDIS_URL, testQueuePrefix } from '../support/env';
import { graphql } from '../support/graphql';
import { operatorToken } from '../support/operators';
import { ROOT } from '../support/process';
import { waitUntil } from '../support/wait';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = join(ROOT, 'test-output', 'admin-queues');
const PREFIX = `${testQueuePrefix()}-board-${randomUUID()}`;
const STEP_TIMEOUT_MS = 15_000;

/** Our queue names, as the board lists them (one region). */
const QUEUE_NAMES = ['maintenance', 'audit', 'webhook-dispatch', 'webhook-delivery', 'erasure', 'exports', 'oidc-backchannel-logout'];

interface Tab {
  context: BrowserContext;
  page: Page;
  /** Every CSP violation the page reported (a listener added before any of the page's own code runs). */
  violations: string[];
}

/**
 * The queue board (issue 20, item 3) as a platform owner uses it, in headless Chromium: the sign-in
 * form, the board with our queues, a retry of a failed job and its audit event, sign-out and
 * revocation; and everyone else refused. The non-browser cases: test/http/admin/queue-board.test.ts.
 */
describe('the queue board in a browser', () => {
  let app: App;
  let url: string;
  let browser: Browser;
  let redis: Redis;
  let erasure: Queue;
  let owner: string;

  beforeAll(async () => {
    await resetDatabase();
    // ROLE all: the workers run (the failing job fails, the retried one runs again) and the audit outbox drains.
    app = await startPublicTestApp({ ROLE: 'all', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', QUEUE_PREFIX: PREFIX });
    url = new URL(app.config.PUBLIC_URL).origin;
    owner = await operatorToken(app, 'OWNER', null);
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    erasure = new Queue('erasure', { connection: redis, prefix: PREFIX });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await erasure?.close();
    redis?.disconnect();
    await app?.stop();
  });

  async function openTab(): Promise<Tab> {
    const context = await browser.newContext();
    const violations: string[] = [];
    await context.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
    // Page code (the test's tsconfig has no DOM types, hence a string): every violation is handed to the test.
    await context.addInitScript({
      content: "document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    return { context, page, violations };
  }

  /** Opens the board, is sent to the form, submits `token`; answers the status of the form's answer. */
  async function signIn(page: Page, token: string): Promise<number> {
    await page.goto(`${url}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Operator token').fill(token);
    const [answer] = await Promise.all([page.waitForResponse((res) => res.request().method() === 'POST' && res.url() === `${url}/admin/login`), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.waitForLoadState();
    return answer.status();
  }

  async function sessionCookie(context: BrowserContext): Promise<string | null> {
    return (await context.cookies(`${url}/admin/queues`)).find((c) => c.name === 'ids_admin_session')?.value ?? null;
  }

  it('reports CSP violations to the test (the check below can fail)', async () => {
    const { context, page, violations } = await openTab();
    try {
      await page.goto(`${url}/admin/login`);
      // The form's CSP allows no image: this one is refused and reported.
      await page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<img src="/admin/queues/static/images/logo.svg">')`);
      await waitUntil('the refused image to be reported', () => violations.length > 0);
    } finally {
      await context.close();
    }
  });

  it('lets a platform owner sign in, see every queue, retry a failed job, and audits the retry', async () => {
    const failing = await erasure.add('process-deletion-request', { deletionRequestId: 'not-a-uuid' }, { attempts: 1, jobId: `bad-payload-${randomUUID()}` });
    await waitUntil('the job with a bad payload to fail', async () => (await failing.getState()) === 'failed');
    const { context, page, violations } = await openTab();
    try {
      expect(await signIn(page, owner)).toBe(303);
      expect(page.url()).toBe(`${url}/admin/queues`);
      // Each queue's card on the board's overview (the sidebar lists them too).
      for (const name of QUEUE_NAMES) await page.locator(`main a[title="${name}"]`).waitFor();
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(OUTPUT_DIR, 'board.png'), fullPage: true });

      await page.goto(`${url}/admin/queues/queue/erasure?status=failed`);
      await page.getByText(failing.id!).waitFor();
      // The job's own retry button (an icon), then the board's confirmation.
      await page.locator('button', { has: page.locator('svg.lucide-refresh-cw') }).filter({ hasNotText: 'Retry all' }).click();
      const confirm = page.getByRole('alertdialog');
      expect(await confirm.locator('p').innerText()).toBe('Are you sure that you want to retry this job?');
      const [retry] = await Promise.all([
        page.waitForResponse((res) => res.request().method() === 'PUT' && res.url().includes(`/api/queues/erasure/${failing.id}/retry`)),
        confirm.getByRole('button', { name: 'Confirm' }).click(),
      ]);
      expect(retry.status()).toBe(204);
      // Retried: run again by the worker, it fails again (the payload is still bad), a second attempt made.
      await waitUntil('the retried job to have run again', async () => (await erasure.getJob(failing.id!))!.attemptsMade >= 2 || (await erasure.getJob(failing.id!))!.processedOn! > failing.processedOn!);
      await page.screenshot({ path: join(OUTPUT_DIR, 'retried.png'), fullPage: true });

      const ownerId = (await graphql<{ me: { id: string } }>(url, '{ me { id } }', {}, owner)).data!.me.id;
      let events: Array<{ actorId: string; details: Record<string, unknown> }> = [];
      await waitUntil('the retry to be on the audit trail', async () => {
        const res = await graphql<{ auditEvents: { nodes: typeof events } }>(url, '{ auditEvents(first: 10, filter: { action: "queue_board.job_retried" }) { nodes { actorId details } } }');
        events = res.data?.auditEvents.nodes ?? [];
        return events.length > 0;
      });
      expect(events).toEqual([{ actorId: ownerId, details: expect.objectContaining({ operatorTokenId: ownerId, queue: 'erasure', jobId: failing.id }) }]);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('refuses a customer owner, a customer admin, a platform support operator and a wrong token, and starts no session', async () => {
    const { customer } = await createTestCustomer(app, 'acme');
    const cases: Array<[string, string, number, string]> = [
      ['customer owner', await operatorToken(app, 'OWNER', customer.id), 403, 'Not allowed'],
      ['customer admin', await operatorToken(app, 'ADMIN', customer.id), 403, 'Not allowed'],
      ['platform support', await operatorToken(app, 'SUPPORT', null), 403, 'Not allowed'],
      ['wrong token', `ops_${'x'.repeat(43)}`, 401, 'Queue board sign-in'],
    ];
    for (const [who, token, status, title] of cases) {
      const { context, page, violations } = await openTab();
      try {
        expect([who, await signIn(page, token)]).toEqual([who, status]);
        expect(await page.locator('h1').innerText()).toBe(title);
        expect(await sessionCookie(context)).toBeNull();
        // Still refused at the board itself.
        await page.goto(`${url}/admin/queues`);
        expect(new URL(page.url()).pathname).toBe('/admin/login');
        expect(violations).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 60_000);

  it('sends a browser without a session to the form, and its API calls get 401', async () => {
    const { context, page } = await openTab();
    try {
      await page.goto(`${url}/admin/queues/queue/erasure`);
      expect(new URL(page.url()).pathname).toBe('/admin/login');
      const api = await page.goto(`${url}/admin/queues/api/queues`);
      expect(api!.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('ends the session at sign-out: the old cookie, replayed, is refused', async () => {
    const { context, page, violations } = await openTab();
    try {
      expect(await signIn(page, owner)).toBe(303);
      const session = await sessionCookie(context);
      expect((await boardApi(url, session, '/queues')).status).toBe(200);
      // The board's own menu links to the sign-out form.
      await page.locator('main a[title="erasure"]').waitFor();
      await page.locator('button[aria-haspopup="menu"]').first().click();
      await page.getByRole('menuitem', { name: 'Sign out' }).click();
      await page.waitForURL(`${url}/admin/logout`);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Signed out' }).waitFor();
      expect(await sessionCookie(context)).toBeNull();
      expect((await boardApi(url, session, '/queues')).status).toBe(401);
      await page.goto(`${url}/admin/queues`);
      expect(new URL(page.url()).pathname).toBe('/admin/login');
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);

  it('ends the session when its operator token is revoked', async () => {
    const token = await operatorToken(app, 'OWNER', null);
    const { context, page } = await openTab();
    try {
      expect(await signIn(page, token)).toBe(303);
      await page.locator('main a[title="erasure"]').waitFor();
      const id = (await graphql<{ me: { id: string } }>(url, '{ me { id } }', {}, token)).data!.me.id;
      const revoked = await graphql(url, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id });
      expect(revoked.errors).toBeUndefined();
      await page.reload();
      expect(new URL(page.url()).pathname).toBe('/admin/login');
    } finally {
      await context.close();
    }
  }, 30_000);
});
