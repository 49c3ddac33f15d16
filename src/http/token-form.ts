import { Request } from 'express';
import { InvalidRequestError } from '../oauth';
import { MalformedFormError, parseFormStrict, readBody } from './form';

/** Token, revocation and introspection requests are a few short parameters (a client assertion is the longest). */
const BODY_LIMIT = 16 * 1024;

/**
 * The form of a token, revocation or introspection request (RFC 6749 §3.2): urlencoded, each
 * parameter at most once, read whole before any database work. `known` are the parameter names an
 * error may echo; whatever else a client sent stays out of the answer.
 */
export async function readTokenForm(req: Request, known: ReadonlySet<string>): Promise<Map<string, string>> {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new InvalidRequestError('send parameters as application/x-www-form-urlencoded');
  }
  const body = await readBody(req, BODY_LIMIT);
  if (body === 'too_large') throw new InvalidRequestError('request too large');
  let pairs: Array<[string, string]>;
  try {
    pairs = parseFormStrict(body);
  } catch (err) {
    if (err instanceof MalformedFormError) throw new InvalidRequestError('malformed form body');
    throw err;
  }
  const params = new Map<string, string>();
  for (const [key, value] of pairs) {
    // RFC 6749 §3.1, §3.2: parameters must not be included more than once.
    // Only our own parameter names are echoed back: whatever else a client sent stays out of the answer.
    if (params.has(key)) throw new InvalidRequestError(known.has(key) ? `${key} is repeated` : 'a parameter is repeated');
    params.set(key, value);
  }
  return params;
}

