export { ProfileService } from './profile.service';
export type { ProfileChanges, ProfileFilter } from './profile.service';
export { Profile } from './profile.entity';
export type { ProfileRecord } from './profile.repository';
export { disclosureOf, personKey } from './disclosure';
export type { Disclosure, DisclosureFacts, DisclosurePurpose, PersonRef, RestrictionLookup } from './disclosure';
