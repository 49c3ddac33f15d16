export { ProfileService } from './profile.service';
export type { ProfileChanges, ProfileFilter } from './profile.service';
export { ProfileResolver } from './profile.resolver';
export { Profile } from './profile.entity';
