import { ACR_NONE, authenticationContext } from '../../../src/oidc/acr';
import { PAPE_POLICY_MULTI_FACTOR, PAPE_POLICY_MULTI_FACTOR_PHYSICAL, PAPE_POLICY_NONE, PAPE_POLICY_PHISHING_RESISTANT } from '../../../src/openid';

describe('acr and amr from the PAPE policies the AW reported', () => {
  it.each([
    [null, { acr: ACR_NONE }],
    [[], { acr: ACR_NONE }],
    [[PAPE_POLICY_NONE], { acr: ACR_NONE }],
    [['https://example.com/unknown-policy'], { acr: ACR_NONE }],
    [[PAPE_POLICY_MULTI_FACTOR], { acr: PAPE_POLICY_MULTI_FACTOR, amr: ['mfa'] }],
    [[PAPE_POLICY_MULTI_FACTOR_PHYSICAL], { acr: PAPE_POLICY_MULTI_FACTOR_PHYSICAL, amr: ['mfa'] }],
    [[PAPE_POLICY_PHISHING_RESISTANT], { acr: PAPE_POLICY_PHISHING_RESISTANT }],
    [[PAPE_POLICY_MULTI_FACTOR, PAPE_POLICY_MULTI_FACTOR_PHYSICAL], { acr: PAPE_POLICY_MULTI_FACTOR_PHYSICAL, amr: ['mfa'] }],
    [[PAPE_POLICY_MULTI_FACTOR, PAPE_POLICY_PHISHING_RESISTANT], { acr: PAPE_POLICY_PHISHING_RESISTANT, amr: ['mfa'] }],
  ])('policies %j give %j', (policies, expected) => {
    expect(authenticationContext(policies)).toEqual(expected);
  });
});
