import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { PrivacyCenterSettings } from './privacy-center-settings';

/** The GraphQL names of PrivacyCenterDeletionMode (privacy-center-settings.ts). */
export enum PrivacyCenterDeletionModeValue {
  IMMEDIATE = 'IMMEDIATE',
  REVIEW = 'REVIEW',
}

registerEnumType(PrivacyCenterDeletionModeValue, {
  name: 'PrivacyCenterDeletionMode',
  description: 'How a deletion asked for in the privacy center is handled.',
  valuesConfig: {
    IMMEDIATE: { description: 'The erasure starts at once, as the API\'s `requestProfileDeletion`.' },
    REVIEW: { description: 'It waits in `privacyRequests` (PENDING_REVIEW) until approved or declined.' },
  },
});

@ObjectType('PrivacyCenterSettings', { description: 'A customer\'s privacy center (`/c/{slug}/account`): whether it is open, what people may correct, how deletion is handled, how it looks.' })
export class PrivacyCenterSettingsType {
  @Field(() => Boolean, { description: 'Whether people can sign in to their privacy center.' })
  isEnabled!: boolean;

  @Field(() => [String], { description: 'The profile fields (sreg names) people may correct themselves.' })
  editableFields!: string[];

  @Field(() => PrivacyCenterDeletionModeValue, { description: 'Immediate erasure, or held for review.' })
  deletionMode!: PrivacyCenterDeletionModeValue;

  @Field(() => String, { nullable: true, description: 'Shown as the page\'s owner; null shows the customer\'s name.' })
  displayName!: string | null;

  @Field(() => String, { nullable: true, description: 'The logo shown on the pages (https).' })
  logoUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'The accent colour, `#rrggbb`; null for the default.' })
  accentColor!: string | null;

  @Field(() => String, { nullable: true, description: 'The customer\'s privacy policy, linked from every page (https).' })
  privacyPolicyUrl!: string | null;

  @Field(() => [String], { description: 'The languages offered (`en` first and always, `de`); the page picks one from Accept-Language.' })
  languages!: string[];

  static from(s: PrivacyCenterSettings): PrivacyCenterSettingsType {
    return Object.assign(new PrivacyCenterSettingsType(), {
      isEnabled: s.isEnabled,
      editableFields: [...s.editableFields],
      deletionMode: s.deletionMode as PrivacyCenterDeletionModeValue,
      displayName: s.displayName,
      logoUrl: s.logoUrl,
      accentColor: s.accentColor,
      privacyPolicyUrl: s.privacyPolicyUrl,
      languages: [...s.languages],
    });
  }
}

@InputType('PrivacyCenterInput', { description: 'Changes to a customer\'s privacy center; omitted fields stay as they are.' })
export class PrivacyCenterInput {
  @Field(() => Boolean, { nullable: true, description: 'Opens or closes the privacy center.' })
  isEnabled?: boolean | null;

  @Field(() => [String], { nullable: true, description: 'The profile fields (sreg names) people may correct themselves; replaces the list (null or empty: none).' })
  editableFields?: string[] | null;

  @Field(() => PrivacyCenterDeletionModeValue, { nullable: true, description: 'Immediate erasure, or held for review.' })
  deletionMode?: PrivacyCenterDeletionModeValue | null;

  @Field(() => String, { nullable: true, description: '1-100 characters; null shows the customer\'s name.' })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'Absolute https URL (http only for loopback hosts); null for none.' })
  logoUrl?: string | null;

  @Field(() => String, { nullable: true, description: '`#rrggbb`; null for the default.' })
  accentColor?: string | null;

  @Field(() => String, { nullable: true, description: 'Absolute https URL (http only for loopback hosts); null for none.' })
  privacyPolicyUrl?: string | null;

  @Field(() => [String], { nullable: true, description: 'The languages offered, from `en` and `de`; must include `en`; null offers English alone.' })
  languages?: string[] | null;
}
