import { buildAxResponse, type AxRequest } from './ax';
import type { ExtensionResponse } from './extension-response';
import { buildIdsResponse, IdsFields } from './ids';
import { buildPapeResponse, type PapeRequest, type PapeResponseInput } from './pape';
import { SREG_FIELDS, buildSregResponse, type SregField, type SregRequest, type SregValues } from './sreg';

/**
 * Which profile data may leave (docs/protocol.md#security-minimisation): only fields the RP requested (via sreg or
 * AX), the AW supplied, and the tenant and user allowed, and none at all under ICAM no-PII.
 */

export interface ExtensionRequests {
  readonly sreg?: SregRequest;
  readonly ax?: AxRequest;
  readonly pape?: PapeRequest;
}

export interface RequestedFields {
  readonly required: readonly SregField[];
  readonly optional: readonly SregField[];
}

/**
 * sreg and AX requests merged onto the sreg fields, in spec order; required in either wins.
 * This is what the AW hears as `requested_attributes` / `required_attributes` (docs/protocol.md#verify-url).
 */
export function requestedFields(request: ExtensionRequests): RequestedFields {
  const required = new Set<SregField>(request.sreg?.required ?? []);
  const optional = new Set<SregField>(request.sreg?.optional ?? []);
  if (request.ax?.mode === 'fetch_request') {
    for (const attribute of request.ax.attributes) {
      if (attribute.sregField === undefined) continue;
      (attribute.isRequired ? required : optional).add(attribute.sregField);
    }
  }
  return {
    required: SREG_FIELDS.filter((field) => required.has(field)),
    optional: SREG_FIELDS.filter((field) => optional.has(field) && !required.has(field)),
  };
}

/** True when the RP asked (PAPE, ICAM) that no personal data ride on the assertion. */
export function isPersonalDataForbidden(request: ExtensionRequests): boolean {
  return request.pape?.isNoPiiRequested === true;
}

/** requested ∩ supplied ∩ granted; nothing at all when no-PII was asked for. */
export function releasableFields(
  request: ExtensionRequests,
  supplied: SregValues,
  granted: Iterable<SregField>,
): SregValues {
  if (isPersonalDataForbidden(request)) return {};
  const { required, optional } = requestedFields(request);
  const allowed = new Set(granted);
  const released: SregValues = {};
  for (const field of [...required, ...optional]) {
    const value = supplied[field];
    if (allowed.has(field) && value !== undefined && value !== '') released[field] = value;
  }
  return released;
}

export interface ExtensionReleaseInput {
  /** Output of `releasableFields` (the approved set). */
  readonly released: SregValues;
  readonly pape?: PapeResponseInput;
  /** Our ids namespace with the AW blob and/or the login code, when there is either. */
  readonly ids?: { readonly namespace: string } & IdsFields;
}

/**
 * Extension responses for a positive assertion: sreg and AX answered from the same approved set
 * (both left out entirely under no-PII), PAPE whenever PAPE was asked, ids when there is a blob or a login code.
 * Under no-PII the AW's blob is left out too: it is the AW's data about the user, and the RP asked
 * that none ride on the assertion (the login code stays; it buys no field the assertion lacks).
 */
export function buildExtensionResponses(request: ExtensionRequests, input: ExtensionReleaseInput): ExtensionResponse[] {
  const responses: ExtensionResponse[] = [];
  const released = releasableFields(request, input.released, SREG_FIELDS);
  if (!isPersonalDataForbidden(request)) {
    if (request.sreg !== undefined) responses.push(buildSregResponse(request.sreg, released));
    if (request.ax !== undefined) responses.push(buildAxResponse(request.ax, released));
  }
  if (request.pape !== undefined) responses.push(buildPapeResponse(request.pape, input.pape));
  if (input.ids !== undefined) {
    const ids: IdsFields = isPersonalDataForbidden(request) ? (input.ids.code === undefined ? {} : { code: input.ids.code }) : input.ids;
    if (ids.blob !== undefined || ids.code !== undefined) responses.push(buildIdsResponse(input.ids.namespace, ids));
  }
  return responses;
}
