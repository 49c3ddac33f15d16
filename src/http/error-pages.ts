import { Response } from 'express';
import type { FlowRefusal } from '../identity-flow';
import type { ProviderPage } from '../openid-provider';
import { sendMessagePage } from './pages';

const START_AGAIN = 'Start again from the site you were signing in to.';

/** Refusals the browser routes of the login flow make themselves, before the flow sees the request. */
export type FlowTransportRefusal = 'MALFORMED_ADDRESS' | 'FORM_NOT_WEB_FORM' | 'FORM_TOO_LARGE' | 'MALFORMED_FORM';

/**
 * The one table of the login flow's browser error pages: each refusal's status and the sentence the
 * person reads, under the title "Sign-in failed".
 */
const FLOW_PAGES: Record<FlowRefusal | FlowTransportRefusal, { status: number; message: string }> = {
  NO_SERVICE: { status: 404, message: 'There is no sign-in service at this address.' },
  UNKNOWN_REQUEST: { status: 404, message: `This sign-in request is unknown. ${START_AGAIN}` },
  FOREIGN_BROWSER: { status: 403, message: `This sign-in was not started in this browser. ${START_AGAIN}` },
  REQUEST_EXPIRED: { status: 410, message: `This sign-in request has expired. ${START_AGAIN}` },
  STALE_FORM: { status: 403, message: `This consent form has expired or was not issued to this browser. ${START_AGAIN}` },
  ALREADY_COMPLETED: { status: 409, message: `This sign-in has already been completed. ${START_AGAIN}` },
  ALREADY_ANSWERED: { status: 409, message: 'This consent has already been answered.' },
  INVALID_DECISION: { status: 400, message: 'Choose Allow or Deny.' },
  MALFORMED_ADDRESS: { status: 400, message: 'The address was not valid.' },
  FORM_NOT_WEB_FORM: { status: 415, message: 'The form was not sent as a web form.' },
  FORM_TOO_LARGE: { status: 413, message: 'The form was too large.' },
  MALFORMED_FORM: { status: 400, message: 'The form was not valid.' },
};

export function sendFlowErrorPage(res: Response, code: FlowRefusal | FlowTransportRefusal): void {
  const { status, message } = FLOW_PAGES[code];
  sendMessagePage(res, status, 'Sign-in failed', message);
}

/** The one table of the OP endpoint's pages for people (src/openid-provider ProviderPage, and discovery's own). */
export function sendOpenIdPage(res: Response, page: ProviderPage | { code: 'UNKNOWN_IDENTIFIER' } | { code: 'MALFORMED_REQUEST' }): void {
  switch (page.code) {
    case 'UNKNOWN_PROVIDER':
      return sendMessagePage(res, 404, 'Unknown OpenID provider', 'There is no OpenID provider at this address.');
    case 'UNKNOWN_IDENTIFIER':
      return sendMessagePage(res, 404, 'Unknown OpenID provider', 'There is no OpenID provider or identifier at this address.');
    case 'ENDPOINT_INFO':
      return sendMessagePage(res, 200, 'OpenID provider endpoint', `This is the OpenID 2.0 endpoint of ${page.customerName}. Sign in at a site that accepts OpenID.`);
    case 'REQUEST_REFUSED':
      return sendMessagePage(res, 400, 'This sign-in request cannot be completed', page.message);
    case 'MALFORMED_REQUEST':
      return sendMessagePage(res, 400, 'This sign-in request cannot be completed', 'The request was not valid form data.');
  }
}
