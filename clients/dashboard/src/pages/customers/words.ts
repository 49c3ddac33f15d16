/** The configuration's enum values in words, shared by the details and the edit form. */
export const PROMPT_POLICY_WORDS = { PROMPT: 'Ask the user for consent', NO_PROMPT: 'Skip the consent page (the AW vouches for consent)' } as const;
export const RETURN_TO_WORDS = {
  OFF: 'Off: no discovery',
  RECORD: 'Record: discover and record the outcome',
  REQUIRE: 'Require: refuse a return_to discovery does not verify',
} as const;
