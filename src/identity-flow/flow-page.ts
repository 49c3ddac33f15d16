import type { IndirectResponse } from '../openid';
import type { ConsentView } from './consent-page';

/** What a browser-facing step of the flow shows next. */
export type FlowPage =
  | { kind: 'indirect'; response: IndirectResponse }
  | { kind: 'consent'; view: ConsentView }
  | { kind: 'error'; status: 400 | 403 | 404 | 409 | 410; message: string };

export function flowError(status: 400 | 403 | 404 | 409 | 410, message: string): FlowPage {
  return { kind: 'error', status, message };
}
