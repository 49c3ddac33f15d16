export { ProfileService } from './profile.service';
export { Profile } from './profile.entity';
