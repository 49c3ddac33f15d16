import { PAPE_POLICY_MULTI_FACTOR, PAPE_POLICY_MULTI_FACTOR_PHYSICAL, PAPE_POLICY_PHISHING_RESISTANT } from '../openid';

/**
 * The `acr` and `amr` claims (OpenID Connect Core §2) of a sign-in, from the PAPE policies the AW
 * reported having met (OpenID PAPE 1.0 §5). The PAPE policy URIs are themselves valid `acr` values
 * (PAPE 1.0 §4 names them "authentication policies"; OIDC Core §2 asks for an absolute URI or a
 * registered name), so the strongest reported one is passed through as it is.
 */

/** Strongest first: phishing-resistant implies nothing about factors, but is what an RP asking for it needs most. */
const ACR_ORDER = [PAPE_POLICY_PHISHING_RESISTANT, PAPE_POLICY_MULTI_FACTOR_PHYSICAL, PAPE_POLICY_MULTI_FACTOR] as const;

/** ISO/IEC 29115 level 0 (OIDC Core §2: "acr 0 ... does not meet ISO/IEC 29115 level 1"): nothing was vouched for. */
export const ACR_NONE = '0';

export interface AuthenticationContext {
  acr: string;
  /** RFC 8176 method references, when the policies say something about them; absent otherwise. */
  amr?: string[];
}

/** `acr` (and `amr` when derivable) of the policies the AW reported; none reported (or only unknown ones) is `0`. */
export function authenticationContext(policies: readonly string[] | null | undefined): AuthenticationContext {
  const reported = new Set(policies ?? []);
  const acr = ACR_ORDER.find((policy) => reported.has(policy)) ?? ACR_NONE;
  // RFC 8176 §2 `mfa`: both multi-factor policies say more than one factor was used; phishing-resistant alone does not.
  const isMultiFactor = reported.has(PAPE_POLICY_MULTI_FACTOR) || reported.has(PAPE_POLICY_MULTI_FACTOR_PHYSICAL);
  return isMultiFactor ? { acr, amr: ['mfa'] } : { acr };
}
