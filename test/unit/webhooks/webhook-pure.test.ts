import { verifyWebhookSignature } from '../../../clients/typescript/src/webhooks';
import { eventData } from '../../../src/webhooks/events';
import { signatureHeader } from '../../../src/webhooks/signature';
import { checkOutboundUrl } from '../../../src/shared/net/url-policy';

describe('webhook signatures', () => {
  const body = '{"id":"e1","type":"profile.created"}';
  const at = new Date('2026-12-01T12:00:00Z');
  const t = at.getTime() / 1000;

  it('verify with the receiver helper, for either secret during a rotation', () => {
    const header = signatureHeader(['whsec_new', 'whsec_old'], t, body);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(body, header, 'whsec_new', { now: at })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhookSignature(Buffer.from(body), header, 'whsec_old', { now: at })).toEqual({ ok: true, timestamp: t });
  });

  it('refuse another secret, a changed body, an old or future timestamp and garbage', () => {
    const header = signatureHeader(['whsec_a'], t, body);
    expect(verifyWebhookSignature(body, header, 'whsec_b', { now: at })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(body.replace('created', 'deleted'), header, 'whsec_a', { now: at })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhookSignature(body, header, 'whsec_a', { now: new Date(at.getTime() + 301_000) })).toEqual({ ok: false, reason: 'too_old' });
    expect(verifyWebhookSignature(body, header, 'whsec_a', { now: new Date(at.getTime() - 301_000) })).toEqual({ ok: false, reason: 'too_new' });
    // The timestamp is signed: moving it forward breaks the signature.
    expect(verifyWebhookSignature(body, header.replace(`t=${t}`, `t=${t + 60}`), 'whsec_a', { now: at })).toEqual({ ok: false, reason: 'mismatch' });
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=x,v1=${'0'.repeat(64)}`, `t=${t},t=${t},v1=${'0'.repeat(64)}`]) {
      expect(verifyWebhookSignature(body, bad, 'whsec_a', { now: at })).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});

describe('webhook URL policy (no server-side request forgery)', () => {
  const strict = { allowPrivate: false };
  const dev = { allowPrivate: true };

  it('wants https, refusing plain http, credentials, fragments and private literals', () => {
    expect(checkOutboundUrl('https://hooks.example.com/in', strict).toString()).toBe('https://hooks.example.com/in');
    for (const url of ['http://hooks.example.com/in', 'ftp://hooks.example.com/', 'https://user:pw@hooks.example.com/', 'https://hooks.example.com/#x', 'https://10.0.0.1/', 'https://[::1]/', 'https://169.254.169.254/latest', 'nonsense']) {
      expect(() => checkOutboundUrl(url, strict)).toThrow();
    }
  });

  it.each(['https://0x7f.1/', 'https://2130706433/', 'https://[::ffff:127.0.0.1]/', 'https://[::ffff:7f00:1]/', 'https://[64:ff9b::a9fe:a9fe]/', 'https://[2002:a00:1::]/'])(
    'refuses %s: the host as the URL parser normalises it is checked',
    (url) => expect(() => checkOutboundUrl(url, strict)).toThrow(/points to an? /),
  );

  it('allows plain http to loopback only with the development setting, never to other hosts', () => {
    expect(checkOutboundUrl('http://127.0.0.1:8080/hook', dev).toString()).toBe('http://127.0.0.1:8080/hook');
    expect(() => checkOutboundUrl('http://127.0.0.1:8080/hook', strict)).toThrow(/https/);
    expect(() => checkOutboundUrl('http://hooks.example.com/', dev)).toThrow(/https/);
    expect(() => checkOutboundUrl('http://10.0.0.1/', dev)).toThrow(/https/);
    expect(checkOutboundUrl('http://[::1]:8080/hook', dev).host).toBe('[::1]:8080');
    expect(checkOutboundUrl('https://10.0.0.1/', dev).host).toBe('10.0.0.1');
  });
});

describe('webhook event data', () => {
  it('carries ids, the username and field names, never a personal value', () => {
    const data = eventData({
      id: '1',
      customerId: 'c',
      action: 'profile.updated',
      occurredAt: new Date(),
      targetType: 'profile',
      targetId: 'p1',
      fields: ['email'],
      details: { changed: { verifyUrl: { old: 'a', new: 'b' } }, secretThing: 'x' },
      subject: 'alice',
    });
    expect(data).toEqual({ profileId: 'p1', username: 'alice', fields: ['email'], changed: ['verifyUrl'] });
  });
});
