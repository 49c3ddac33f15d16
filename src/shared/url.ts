/** Hosts that only ever reach this machine, where plain http is acceptable for local demos. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Parses an absolute URL a customer configures for browsers to visit: https, or http on a loopback
 * host, no credentials, no fragment. Returns a reason when it is not acceptable.
 */
export function checkConfiguredUrl(value: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    return { problem: 'must use https (plain http only for loopback hosts)' };
  }
  if (url.username || url.password) return { problem: 'must not contain credentials' };
  if (url.hash) return { problem: 'must not contain a fragment' };
  if (value.length > 2048) return { problem: 'must be at most 2048 characters' };
  return { url };
}

/** True when the string holds C0/C1 control characters (CR, LF, NUL, …). */
export function hasControlCharacters(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(value);
}
