import { DomainError } from '../shared/errors';

/**
 * Why an AW's postback was refused (docs/protocol.md#postback). Stable codes: the postback route maps each
 * to its status and `text/plain` body in one table (src/http/postback-answers.ts).
 */
export type PostbackRefusal =
  | 'UNKNOWN_REQUEST'
  | 'INVALID_API_KEY'
  | 'REQUEST_EXPIRED'
  | 'ALREADY_POSTED'
  | 'DUPLICATE_PARAMETER'
  | 'MISSING_PARAMETER'
  | 'INVALID_PARAMETER'
  | 'USERNAME_AND_CANCEL';

const POSTBACK_MESSAGES: Record<PostbackRefusal, string> = {
  UNKNOWN_REQUEST: 'no request of this customer awaits a postback under this request_id',
  INVALID_API_KEY: 'the API key is missing or wrong',
  REQUEST_EXPIRED: 'the request expired before the postback',
  ALREADY_POSTED: 'the request already has a different postback',
  DUPLICATE_PARAMETER: 'a parameter was sent more than once',
  MISSING_PARAMETER: 'a required parameter is missing',
  INVALID_PARAMETER: 'a parameter is not valid',
  USERNAME_AND_CANCEL: 'a postback names a user or cancels, not both',
};

/**
 * A postback refused. `parameter` names the offending field (a known field name, never a posted
 * value), for the codes that concern one.
 */
export class PostbackRefusedError extends DomainError {
  declare readonly code: PostbackRefusal;

  constructor(
    code: PostbackRefusal,
    readonly parameter: string | null = null,
  ) {
    super(code, parameter === null ? POSTBACK_MESSAGES[code] : `${POSTBACK_MESSAGES[code]}: ${parameter}`, parameter === null ? {} : { parameter });
  }
}

/**
 * Why a browser step of the flow (the return from the AW, the consent form) shows an error page
 * instead of going on. The browser routes map each to a status and a page (src/http/error-pages.ts).
 */
export type FlowRefusal =
  | 'NO_SERVICE'
  | 'UNKNOWN_REQUEST'
  | 'FOREIGN_BROWSER'
  | 'REQUEST_EXPIRED'
  | 'STALE_FORM'
  | 'ALREADY_COMPLETED'
  | 'ALREADY_ANSWERED'
  | 'INVALID_DECISION';
