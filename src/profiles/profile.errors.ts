import { DomainError } from '../shared/errors';

/** A change to a profile whose processing is restricted (GDPR art. 18): lift the restriction first. */
export class ProfileRestrictedError extends DomainError {
  constructor(id: string) {
    super('PROFILE_RESTRICTED', `profile ${id} is restricted; lift the restriction (setProfileRestriction) before changing it`, { entity: 'profile' });
  }
}
