import { randomBytes } from 'node:crypto';
import { Response } from 'express';
import { IndirectResponse } from '../openid';
import { setPageHeaders } from './pages';

/**
 * Sends an indirect OpenID message to the RP (§5.2): a 302, or the auto-submitting form whose one
 * script runs under a per-response CSP nonce.
 */
export function sendIndirect(res: Response, response: IndirectResponse): void {
  if (response.kind === 'redirect') {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.redirect(302, response.location);
    return;
  }
  const nonce = randomBytes(16).toString('base64');
  setPageHeaders(res, nonce);
  res.status(200).type('html').send(response.html.replace('<script>', `<script nonce="${nonce}">`));
}
