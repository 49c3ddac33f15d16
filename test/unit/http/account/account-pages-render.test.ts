import { messagesFor } from '../../../../src/http/account/messages';
import { renderOverviewPage } from '../../../../src/http/account/pages/overview-page';
import { accentOf, logoOrigin, PageContext } from '../../../../src/http/account/pages/page-frame';
import { renderDeletePage, renderReceiptPage, renderSignedOutPage } from '../../../../src/http/account/pages/simple-pages';
import type { AccountOverview, PrivacyRequestView } from '../../../../src/privacy-center';
import { ERASED_OUTCOME, PrivacyRequestChannel, PrivacyRequestKind, PrivacyRequestStatus } from '../../../../src/privacy-requests';

const cellsOf = (html: string) => html.replace(/ data-label="[^"]*"/g, '');
const XSS = '<script>alert(1)</script>';
const at = new Date('2026-12-01T10:00:00Z');

function ctx(overrides: Partial<PageContext> = {}, lang: 'en' | 'de' = 'en'): PageContext {
  return {
    messages: messagesFor(lang),
    branding: { owner: 'Acme', logoUrl: null, accentColor: null, privacyPolicyUrl: null },
    basePath: '/c/acme/account',
    languages: ['en', 'de'],
    csrf: 'csrf-token',
    ...overrides,
  };
}

function request(overrides: Partial<PrivacyRequestView> = {}): PrivacyRequestView {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    customerId: 'c',
    kind: PrivacyRequestKind.DELETION,
    status: PrivacyRequestStatus.COMPLETED,
    channel: PrivacyRequestChannel.PRIVACY_CENTER,
    subjectHash: 'hash',
    decidedByKind: null,
    decidedById: null,
    profileId: null,
    details: {},
    exportId: null,
    deletionRequestId: null,
    receivedAt: at,
    dueAt: new Date('2026-12-31T10:00:00Z'),
    completedAt: at,
    outcome: null,
    isOverdue: false,
    ...overrides,
  };
}

function overview(overrides: Partial<AccountOverview> = {}): AccountOverview {
  return {
    profileId: 'p',
    username: 'alice',
    isRestricted: false,
    attributes: [
      { field: 'fullname', value: 'Alice Example', changedAt: at, source: 'SIGN_IN' },
      { field: 'email', value: 'alice@example.com', changedAt: at, source: 'YOU' },
    ],
    editableFields: ['fullname'],
    deletionMode: 'IMMEDIATE',
    consents: [
      { id: 'a0000000-0000-4000-8000-000000000001', realm: 'https://rp.example.org/', decision: 'ALLOW', grantedFields: ['email'], isRemembered: true, decidedAt: at, revokedAt: null },
      { id: 'a0000000-0000-4000-8000-000000000002', realm: 'https://old.example.org/', decision: 'ALLOW', grantedFields: [], isRemembered: false, decidedAt: at, revokedAt: at },
    ],
    signIns: [{ at, realm: 'https://rp.example.org/', outcome: 'id_res', releasedFields: ['email'], isAccount: false }],
    exports: [],
    requests: [request({ kind: PrivacyRequestKind.RECTIFICATION })],
    ...overrides,
  };
}

const page = (o: AccountOverview = overview()) => ({ overview: o, notice: null, receiptHref: (id: string) => `/c/acme/account/receipt/${id}?token=t` });

/** Every opening `<tag` in the page, to check that no value adds markup of its own. */
function tagNames(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase());
}

describe('privacy center pages', () => {
  it('show every attribute with its source and the correction form for editable fields only', () => {
    const html = renderOverviewPage(ctx(), page());
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Alice Example');
    expect(html).toContain('Your sign-in');
    expect(html).toContain('name="fullname"');
    expect(html).not.toContain('name="email"');
    expect(html).toContain('name="csrf" value="csrf-token"');
    expect(html).not.toMatch(/<script/i);
  });

  it('offer withdrawal only for decisions still in force', () => {
    const html = renderOverviewPage(ctx(), page());
    expect(html).toContain('/c/acme/account/consents/a0000000-0000-4000-8000-000000000001/withdraw');
    expect(html).not.toContain('a0000000-0000-4000-8000-000000000002/withdraw');
    expect(html).toContain('Withdrawn');
  });

  it('show the restriction notice, offer lifting it, and no correction form while restricted', () => {
    const html = renderOverviewPage(ctx(), page(overview({ isRestricted: true })));
    expect(html).toContain('Processing of your data is restricted');
    expect(html).toContain('name="restricted" value="false"');
    expect(html).not.toContain('name="fullname"');
  });

  it('escape hostile values from the AW, the sites and the customer on every page', () => {
    const hostile = ctx({ branding: { owner: XSS, logoUrl: `https://cdn.example.org/x.png"onerror="${XSS}`, accentColor: `red;}</style>${XSS}`, privacyPolicyUrl: `https://x.example/"${XSS}` } });
    const o = overview({
      username: XSS,
      attributes: [{ field: 'fullname', value: XSS, changedAt: at, source: 'SIGN_IN' }],
      consents: [{ id: 'a0000000-0000-4000-8000-000000000001', realm: XSS, decision: 'ALLOW', grantedFields: [XSS], isRemembered: true, decidedAt: at, revokedAt: null }],
      signIns: [{ at, realm: XSS, outcome: XSS, releasedFields: [XSS], isAccount: false }],
      requests: [request({ outcome: XSS })],
    });
    const baseline = tagNames(renderOverviewPage(ctx({ branding: { owner: 'Acme', logoUrl: 'https://cdn.example.org/x.png', accentColor: null, privacyPolicyUrl: 'https://x.example/' } }), page()));
    const pages = [
      renderOverviewPage(hostile, page(o)),
      renderSignedOutPage(hostile, null),
      renderDeletePage(hostile, 'IMMEDIATE', null),
      renderReceiptPage(hostile, request({ outcome: XSS }), { [XSS]: 1 }),
    ];
    for (const html of pages) {
      expect(html).not.toContain(XSS);
      expect(html).toContain('&lt;script&gt;');
      expect(html).not.toMatch(/<script/i);
      for (const tag of tagNames(html)) expect(baseline.concat(['code'])).toContain(tag);
    }
  });

  it('use the accent colour only when it is #rrggbb, and the logo only when set', () => {
    expect(accentOf({ owner: 'A', logoUrl: null, accentColor: '#12ab34', privacyPolicyUrl: null })).toBe('#12ab34');
    expect(accentOf({ owner: 'A', logoUrl: null, accentColor: 'red;}body{x', privacyPolicyUrl: null })).toBe('#1d4ed8');
    expect(renderOverviewPage(ctx({ branding: { owner: 'Acme', logoUrl: null, accentColor: '#12ab34', privacyPolicyUrl: null } }), page())).toContain('--accent:#12ab34');
    expect(renderOverviewPage(ctx(), page())).not.toContain('<img');
    const logo = { owner: 'Acme', logoUrl: 'https://cdn.example.org/logo.png', accentColor: null, privacyPolicyUrl: 'https://acme.example/privacy' };
    const html = renderOverviewPage(ctx({ branding: logo }), page());
    expect(html).toContain('<img src="https://cdn.example.org/logo.png" alt="Logo of Acme">');
    expect(html).toContain('href="https://acme.example/privacy"');
    expect(logoOrigin(logo)).toBe('https://cdn.example.org');
    expect(logoOrigin({ ...logo, logoUrl: 'javascript:alert(1)' })).toBeNull();
  });

  it('speak German, with the lang attribute, when the page language is de', () => {
    const html = renderOverviewPage(ctx({}, 'de'), page());
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Ihre Daten');
    expect(html).toContain('Websites, mit denen Sie Daten geteilt haben');
    expect(html).toContain('?lang=de');
  });

  it('flag a request still owed an answer past its due date', () => {
    const late = request({ status: PrivacyRequestStatus.PENDING_REVIEW, kind: PrivacyRequestKind.OBJECTION, completedAt: null, isOverdue: true });
    expect(cellsOf(renderOverviewPage(ctx(), page(overview({ requests: [late] }))))).toContain('<td>Waiting for review <strong>(overdue)</strong></td>');
    expect(renderOverviewPage(ctx(), page())).not.toContain('(overdue)');
  });

  it('show the rows removed per table on a completed deletion receipt', () => {
    const html = renderReceiptPage(ctx({ csrf: null }), request(), { profile: 1, consent_decision: 2 });
    expect(cellsOf(html)).toContain('<code>consent_decision</code></td><td>2</td>');
    expect(html).toContain('Completed');
    expect(html).not.toContain('Sign out');
  });

  it('say a download is being prepared only while one is', () => {
    const notice = { kind: 'done' as const, key: 'done.export' as const };
    const exportOf = (status: string) => ({ id: 'e1', status, requestedAt: new Date(0), expiresAt: null, isDownloadable: status === 'READY' });
    const render = (status: string) => renderOverviewPage(ctx(), { ...page(overview({ exports: [exportOf(status)] })), notice });
    expect(render('PENDING')).toContain('Your download is being prepared.');
    expect(render('READY')).not.toContain('Your download is being prepared.');
  });

  it("say the service's own outcomes in the page's language, and an operator's note as typed", () => {
    const erased = request({ kind: PrivacyRequestKind.DELETION, outcome: ERASED_OUTCOME });
    expect(renderReceiptPage(ctx({ csrf: null }, 'de'), erased, null)).toContain('Ihre Daten wurden gelöscht.');
    expect(renderReceiptPage(ctx({ csrf: null }, 'de'), erased, null)).not.toContain(ERASED_OUTCOME);
    expect(cellsOf(renderOverviewPage(ctx(), page(overview({ requests: [erased] }))))).toContain('<td>Your data was erased.</td>');
    const noted = request({ kind: PrivacyRequestKind.OBJECTION, outcome: 'We stopped the <newsletter>.' });
    expect(renderOverviewPage(ctx({}, 'de'), page(overview({ requests: [noted] })))).toContain('We stopped the &lt;newsletter&gt;.');
  });

  it('ask for a confirmation before deleting, in the words of the deletion mode', () => {
    expect(renderDeletePage(ctx(), 'IMMEDIATE', null)).toContain('name="confirm" value="yes"');
    expect(renderDeletePage(ctx(), 'REVIEW', null)).toContain('for review');
    expect(renderDeletePage(ctx(), 'IMMEDIATE', 'error.confirm')).toContain('role="alert"');
  });
});
