/** Cookie `name`'s value from a response's Set-Cookie headers, with the whole header line. */
export function setCookie(res: Response, name: string): { value: string; line: string } | null {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    if (pair!.slice(0, at).trim() === name) return { value: pair!.slice(at + 1), line };
  }
  return null;
}

export interface BoardSignIn {
  res: Response;
  body: string;
  /** The session cookie's value, when the sign-in set one. */
  session: string | null;
  sessionLine: string | null;
}

/**
 * Signs in to the queue board as a browser would, without one: GET /admin/login for the form's
 * pre-session cookie and CSRF token, then POST the token from the service's own origin (`headers`
 * replace the same-origin markers when given).
 */
export async function signInToBoard(baseUrl: string, token: string, headers: Record<string, string> = { origin: baseUrl }): Promise<BoardSignIn> {
  const form = await fetch(`${baseUrl}/admin/login`);
  const pre = setCookie(form, 'ids_admin_pre');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!pre || !csrf) throw new Error('the sign-in form has no pre-session cookie or CSRF token');
  const res = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ids_admin_pre=${pre.value}`, ...headers },
    body: new URLSearchParams({ csrf, token }).toString(),
  });
  const session = setCookie(res, 'ids_admin_session');
  return { res, body: await res.text(), session: session?.value || null, sessionLine: session?.line ?? null };
}

/** The board's JSON API as the board's own page calls it (same origin, with the session cookie). */
export function boardApi(baseUrl: string, session: string | null, path: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(session ? { cookie: `ids_admin_session=${session}` } : {}), ...init.headers };
  return fetch(`${baseUrl}/admin/queues/api${path}`, { redirect: 'manual', ...init, headers });
}
