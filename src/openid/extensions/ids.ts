import type { ExtensionResponse } from './extension-response';

/**
 * [D] Private extension relaying the AW's `blob` to the RP (PROTOCOL.md §6.4):
 * `openid.ns.ids=<publicUrl>/ns/ids/1.0`, `openid.ids.blob=<blob>`, signed like every field.
 */

export const IDS_ALIAS = 'ids';

/** The namespace URI for a deployment, e.g. `https://ids.example.com/ns/ids/1.0`. */
export function idsNamespaceFor(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/ns/ids/1.0`;
}

/** The ids extension carrying `blob`. The blob must be LF-free (checked at PostBack, §4.3). */
export function buildIdsResponse(namespace: string, blob: string): ExtensionResponse {
  return { namespace, alias: IDS_ALIAS, fields: [['blob', blob]] };
}
