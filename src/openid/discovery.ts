import { CLAIMED_IDENTIFIER_SERVICE_TYPE, OP_IDENTIFIER_SERVICE_TYPE } from './constants';
import { AX_NS } from './extensions/ax';
import { PAPE_NS } from './extensions/pape';
import { SREG_NS_1_0, SREG_NS_1_1 } from './extensions/sreg';
import { escapeMarkup } from './markup';

/**
 * Discovery documents (§7.3, docs/protocol.md#discovery): Yadis XRDS for the OP identifier and for claimed
 * identifiers, and the HTML fallbacks. Serve XRDS for `Accept: application/xrds+xml`, otherwise
 * the HTML with an `X-XRDS-Location` header pointing at the XRDS.
 */

export const XRDS_CONTENT_TYPE = 'application/xrds+xml';
export const XRDS_LOCATION_HEADER = 'X-XRDS-Location';

/** Extension types we answer, listed as extra `<Type>`s (§7.3.2.4 of the spec, docs/protocol.md#discovery). */
export const SUPPORTED_EXTENSION_TYPES: readonly string[] = [SREG_NS_1_1, SREG_NS_1_0, AX_NS, PAPE_NS];

function xrds(types: readonly string[], opEndpoint: string, localId?: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<xrds:XRDS xmlns:xrds="xri://$xrds" xmlns="xri://$xrd*($v*2.0)">',
    '  <XRD>',
    '    <Service priority="0">',
    ...types.map((type) => `      <Type>${escapeMarkup(type)}</Type>`),
    `      <URI>${escapeMarkup(opEndpoint)}</URI>`,
    ...(localId === undefined ? [] : [`      <LocalID>${escapeMarkup(localId)}</LocalID>`]),
    '    </Service>',
    '  </XRD>',
    '</xrds:XRDS>',
    '',
  ];
  return lines.join('\n');
}

export interface OpIdentifierXrdsInput {
  readonly opEndpoint: string;
  readonly extensionTypes?: readonly string[];
}

/** §7.3.2.1.1: OP Identifier Element, Type `…/2.0/server`, URI = OP endpoint. */
export function opIdentifierXrds(input: OpIdentifierXrdsInput): string {
  const types = [OP_IDENTIFIER_SERVICE_TYPE, ...(input.extensionTypes ?? SUPPORTED_EXTENSION_TYPES)];
  return xrds(types, input.opEndpoint);
}

export interface ClaimedIdentifierXrdsInput {
  readonly opEndpoint: string;
  /** The OP-local identifier; for our own claimed IDs, the claimed ID itself. */
  readonly localId: string;
  readonly extensionTypes?: readonly string[];
}

/** §7.3.2.1.2: Claimed Identifier Element, Type `…/2.0/signon`, with `<LocalID>`. */
export function claimedIdentifierXrds(input: ClaimedIdentifierXrdsInput): string {
  const types = [CLAIMED_IDENTIFIER_SERVICE_TYPE, ...(input.extensionTypes ?? SUPPORTED_EXTENSION_TYPES)];
  return xrds(types, input.opEndpoint, input.localId);
}

function page(title: string, head: readonly string[], body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeMarkup(title)}</title>`,
    ...head,
    '</head>',
    `<body><p>${escapeMarkup(body)}</p></body>`,
    '</html>',
    '',
  ].join('\n');
}

export interface OpIdentifierHtmlInput {
  readonly xrdsUrl: string;
  readonly title?: string;
}

/**
 * Human page for the OP identifier. HTML discovery cannot express an OP identifier (§7.3.3), so
 * it only points Yadis at the XRDS, in a meta tag as well as the header (Yadis 1.0 §6.2.5).
 */
export function opIdentifierHtml(input: OpIdentifierHtmlInput): string {
  const head = [`<meta http-equiv="X-XRDS-Location" content="${escapeMarkup(input.xrdsUrl)}">`];
  const text = 'This is an OpenID 2.0 provider. Enter this address at a site that accepts OpenID to sign in.';
  return page(input.title ?? 'OpenID provider', head, text);
}

export interface ClaimedIdentifierHtmlInput {
  readonly opEndpoint: string;
  readonly localId: string;
  readonly xrdsUrl?: string;
}

/**
 * §7.3.3 HTML discovery for a claimed identifier: `openid2.provider` and `openid2.local_id` links.
 * [D] The page shows nothing personal and looks the same for unknown usernames.
 */
export function claimedIdentifierHtml(input: ClaimedIdentifierHtmlInput): string {
  const head = [
    `<link rel="openid2.provider" href="${escapeMarkup(input.opEndpoint)}">`,
    `<link rel="openid2.local_id" href="${escapeMarkup(input.localId)}">`,
    ...(input.xrdsUrl === undefined
      ? []
      : [`<meta http-equiv="X-XRDS-Location" content="${escapeMarkup(input.xrdsUrl)}">`]),
  ];
  return page('OpenID identifier', head, 'This is an OpenID identifier.');
}
