import { Response } from 'express';
import type { HandoffCookie } from '../openid-provider';

/**
 * Sends the browser on with the login's binding cookie: to the AW's Verify URL (OpenID 2.0 and
 * OpenID Connect alike), or, without cookies, back to a client.
 */
export function sendHandoff(res: Response, location: string, cookies: readonly HandoffCookie[], isSecureBrowser: boolean): void {
  for (const cookie of cookies) {
    res.cookie(cookie.name, cookie.value, {
      path: cookie.path,
      maxAge: cookie.maxAgeSeconds * 1000,
      httpOnly: true,
      sameSite: 'lax',
      // Secure whenever the browser reaches us over TLS: PUBLIC_URL is https (whatever terminates
      // TLS in front of us), the socket is TLS, or a trusted proxy says so.
      secure: isSecureBrowser,
    });
  }
  res.set('Cache-Control', 'no-store');
  res.redirect(302, location);
}
