import type { ExtensionResponse } from './extension-response';

/**
 * [D] Private extension of this service (docs/protocol.md#blob): `openid.ns.ids=<publicUrl>/ns/ids/1.0`,
 * with `openid.ids.blob=<blob>` relaying the AW's blob and `openid.ids.code=<code>` carrying the
 * one-time login code the customer's OAuth client exchanges at /oauth/token. Signed like every field.
 */

export const IDS_ALIAS = 'ids';

/** The namespace URI for a deployment, e.g. `https://ids.example.com/ns/ids/1.0`. */
export function idsNamespaceFor(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/ns/ids/1.0`;
}

/** What the ids extension carries; a field left out is not sent. */
export interface IdsFields {
  /** The AW's blob; must be LF-free (checked at PostBack, §4.3). */
  readonly blob?: string;
  /** The one-time login code (base64url, so LF-free by construction). */
  readonly code?: string;
}

/** The ids extension carrying `blob` and/or `code`. */
export function buildIdsResponse(namespace: string, fields: IdsFields): ExtensionResponse {
  const out: Array<[string, string]> = [];
  if (fields.blob !== undefined) out.push(['blob', fields.blob]);
  if (fields.code !== undefined) out.push(['code', fields.code]);
  return { namespace, alias: IDS_ALIAS, fields: out };
}
