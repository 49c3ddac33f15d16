import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RequiresScopes } from '../graphql/auth-checker';
import { Connection } from '../graphql/connection';
import { SREG_FIELDS } from '../openid';
import type { ProfileRecord } from './profile.repository';

/**
 * A user's profile as the API shows it. Each personal field needs its own `profile.<field>` scope
 * on top of `profiles:read`; asking for one without it gives FORBIDDEN at that field's path and
 * null there, while the other fields resolve. Personal fields are nullable for that reason too.
 * While processing is restricted (GDPR art. 18) only `id`, `customerId`, `isRestricted` and
 * `restrictedAt` carry values: `fromRecord` leaves every other field null, the username and the
 * timestamps included (they tell who the person is and when they signed in).
 */
// Simple resolvers: graphql-js reads each field straight off the object (a page resolves ~10 fields
// for each of 100 rows), without type-graphql's per-value wrapper. Scopes still apply (RequiresScopes).
@ObjectType('Profile', { description: 'What a customer\'s AW told us about one of its users.', simpleResolvers: true })
export class ProfileType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer the user belongs to.' })
  customerId!: string;

  @Field(() => String, { nullable: true, description: 'The AW\'s username (the last segment of the claimed identifier). Null while restricted.' })
  username!: string | null;

  @Field(() => Boolean, { description: 'Whether processing is restricted (GDPR art. 18): nothing is released to RPs and every other field reads null.' })
  isRestricted!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the current restriction was set; null when not restricted.' })
  restrictedAt!: Date | null;

  @RequiresScopes('profile.nickname')
  @Field(() => String, { nullable: true, description: 'sreg nickname. Needs `profile.nickname`.' })
  nickname!: string | null;

  @RequiresScopes('profile.email')
  @Field(() => String, { nullable: true, description: 'sreg email. Needs `profile.email`.' })
  email!: string | null;

  @RequiresScopes('profile.fullname')
  @Field(() => String, { nullable: true, description: 'sreg fullname. Needs `profile.fullname`.' })
  fullname!: string | null;

  @RequiresScopes('profile.dob')
  @Field(() => String, { nullable: true, description: 'sreg dob, YYYY-MM-DD with unknown parts as 00. Needs `profile.dob`.' })
  dob!: string | null;

  @RequiresScopes('profile.gender')
  @Field(() => String, { nullable: true, description: 'sreg gender, M or F. Needs `profile.gender`.' })
  gender!: string | null;

  @RequiresScopes('profile.postcode')
  @Field(() => String, { nullable: true, description: 'sreg postcode. Needs `profile.postcode`.' })
  postcode!: string | null;

  @RequiresScopes('profile.country')
  @Field(() => String, { nullable: true, description: 'sreg country, ISO 3166 alpha-2. Needs `profile.country`.' })
  country!: string | null;

  @RequiresScopes('profile.language')
  @Field(() => String, { nullable: true, description: 'sreg language, ISO 639. Needs `profile.language`.' })
  language!: string | null;

  @RequiresScopes('profile.timezone')
  @Field(() => String, { nullable: true, description: 'sreg timezone, a tz database name. Needs `profile.timezone`.' })
  timezone!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the profile was first recorded. Null while restricted.' })
  createdAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a field last changed (postback or rectification). Null while restricted.' })
  updatedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the user last signed in through us. Null while restricted.' })
  lastSeenAt!: Date | null;

  /** A profile record, opened (never an entity, whose values are sealed), as the API shows it. */
  static fromRecord(p: ProfileRecord): ProfileType {
    if (p.restrictedAt !== null) return ProfileType.restricted(p);
    return Object.assign(new ProfileType(), {
      id: p.id,
      isRestricted: false,
      restrictedAt: null,
      customerId: p.customerId,
      username: p.username,
      nickname: p.nickname,
      email: p.email,
      fullname: p.fullname,
      dob: p.dob,
      gender: p.gender,
      postcode: p.postcode,
      country: p.country,
      language: p.language,
      timezone: p.timezone,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      lastSeenAt: p.lastSeenAt,
    });
  }

  /** A restricted profile: the id and the flag, every personal field null (never read from the row). */
  private static restricted(p: ProfileRecord): ProfileType {
    const nulls = Object.fromEntries(SREG_FIELDS.map((field) => [field, null]));
    return Object.assign(new ProfileType(), {
      ...nulls,
      id: p.id,
      customerId: p.customerId,
      username: null,
      isRestricted: true,
      restrictedAt: p.restrictedAt,
      createdAt: null,
      updatedAt: null,
      lastSeenAt: null,
    });
  }
}

@ObjectType('ProfileConnection', { description: 'A page of profiles, oldest first.' })
export class ProfileConnection extends Connection(ProfileType) {}

@ObjectType('SetProfileRestrictionPayload', { description: 'Result of setProfileRestriction.' })
export class SetProfileRestrictionPayload {
  @Field(() => ProfileType, { description: 'The profile after the change (only its id and the flag while restricted).' })
  profile!: ProfileType;
}

@ObjectType('UpdateProfilePayload', { description: 'Result of updateProfile.' })
export class UpdateProfilePayload {
  @Field(() => ProfileType, { description: 'The profile after the change.' })
  profile!: ProfileType;
}

@InputType('ProfileFilter', { description: 'Which profiles to list.' })
export class ProfileFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this customer\'s profiles (a customer\'s caller always sees only its own).' })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only the profile with this username (exact only: matched by its keyed hash).' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Only profiles with this email (exact only: matched by its keyed hash; never a restricted profile). Needs `profile.email`.' })
  email?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only profiles changed at or after this time.' })
  updatedSince?: Date | null;
}

@InputType('UpdateProfileInput', { description: 'Rectification: only the fields given change; null clears a field. Each needs its `profile.<field>` scope.' })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: 'sreg nickname.' }) nickname?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg email.' }) email?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg fullname.' }) fullname?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg dob, YYYY-MM-DD.' }) dob?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg gender, M or F.' }) gender?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg postcode.' }) postcode?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg country, ISO 3166 alpha-2.' }) country?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg language, ISO 639.' }) language?: string | null;
  @Field(() => String, { nullable: true, description: 'sreg timezone, a tz database name.' }) timezone?: string | null;
}
