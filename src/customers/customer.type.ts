import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Customer, PromptPolicy, Region, ReturnToVerification } from './customer.entity';
import { Connection } from '../graphql/connection';
import { privacyCenterOf } from './privacy-center-settings';
import { PrivacyCenterSettingsType } from './privacy-center.type';

registerEnumType(Region, { name: 'Region', description: 'Where the customer\'s data is hosted.' });
registerEnumType(PromptPolicy, {
  name: 'PromptPolicy',
  description: 'What a postback without `no_prompt` means.',
  valuesConfig: {
    PROMPT: { description: 'Ask the user for consent (the default).' },
    NO_PROMPT: { description: 'Skip the consent page; the AW vouches for consent.' },
  },
});

registerEnumType(ReturnToVerification, {
  name: 'ReturnToVerification',
  description: 'Whether a checkid\'s return_to is checked against the XRDS its realm publishes (OpenID 2.0 §9.2.1), and what an unverified one means.',
  valuesConfig: {
    OFF: { description: 'No discovery; requests are recorded as SKIPPED.' },
    RECORD: { description: 'Discover and record the outcome on the auth request; the sign-in goes on either way (the default).' },
    REQUIRE: { description: 'Discover; a return_to that is not VERIFIED gets an error page and no sign-in.' },
  },
});

/** The URLs we hand a customer, all derived from PUBLIC_URL and the slug. */
export function customerUrls(publicUrl: string, slug: string) {
  const base = `${publicUrl.replace(/\/+$/, '')}/c/${slug}/`;
  return {
    openidIdentifier: base,
    opEndpoint: `${base}openid`,
    postbackUrl: `${base}ows_auth`,
    returnUrl: `${base}ows_return`,
  };
}

@ObjectType('Customer', { description: 'A customer: a website whose own login we turn into an OpenID provider.' })
export class CustomerType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => String, { description: 'URL-safe unique name; the `{slug}` in every customer URL.' })
  slug!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The customer\'s home page, used to recognise the customer.' })
  homeUrl!: string | null;

  @Field(() => String, { description: 'The AW page we send browsers to so the user can log in.' })
  verifyUrl!: string;

  @Field(() => Region, { description: 'Hosting region.' })
  region!: Region;

  @Field(() => PromptPolicy, { description: 'What a postback without `no_prompt` means.' })
  promptPolicy!: PromptPolicy;

  @Field(() => [String], { description: 'OpenID realms of the relying parties allowed to use this customer; empty means any.' })
  trustedRealms!: string[];

  @Field(() => ReturnToVerification, { description: 'Return-URL verification by RP discovery (OpenID 2.0 §9.2.1).' })
  returnToVerification!: ReturnToVerification;

  @Field(() => Int, { nullable: true, description: 'Profiles not seen for this many days are erased; null keeps them.' })
  profileRetentionDays!: number | null;

  @Field(() => String, { description: 'OpenID identifier (OP identifier) users and RPs start from.' })
  openidIdentifier!: string;

  @Field(() => String, { description: 'Where the AW POSTs the login result (server to server).' })
  postbackUrl!: string;

  @Field(() => String, { description: 'Where the AW sends the browser after a successful postback.' })
  returnUrl!: string;

  @Field(() => Date, { description: 'When the customer was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the configuration last changed.' })
  updatedAt!: Date;

  @Field(() => PrivacyCenterSettingsType, { description: 'The customer\'s privacy center settings (defaults for anything never set: a closed center).' })
  privacyCenter!: PrivacyCenterSettingsType;

  static from(customer: Customer, publicUrl: string): CustomerType {
    const urls = customerUrls(publicUrl, customer.slug);
    return Object.assign(new CustomerType(), {
      id: customer.id,
      slug: customer.slug,
      name: customer.name,
      homeUrl: customer.homeUrl,
      verifyUrl: customer.verifyUrl,
      region: customer.region,
      promptPolicy: customer.promptPolicy,
      trustedRealms: [...customer.trustedRealms],
      returnToVerification: customer.returnToVerification,
      profileRetentionDays: customer.profileRetentionDays,
      openidIdentifier: urls.openidIdentifier,
      postbackUrl: urls.postbackUrl,
      returnUrl: urls.returnUrl,
      createdAt: customer.createdAt,
      updatedAt: customer.updatedAt,
      privacyCenter: PrivacyCenterSettingsType.from(privacyCenterOf(customer.privacyCenter)),
    });
  }
}

@ObjectType('CustomerConnection', { description: 'A page of customers.' })
export class CustomerConnection extends Connection(CustomerType) {}

@ObjectType('CreateCustomerPayload', { description: 'Result of createCustomer.' })
export class CreateCustomerPayload {
  @Field(() => String, { description: 'The API key for postbacks. Shown only now: store it, we keep only a hash.' })
  apiKey!: string;

  @Field(() => CustomerType, { description: 'The new customer.' })
  customer!: CustomerType;
}

@ObjectType('RotateCustomerApiKeyPayload', { description: 'Result of rotateCustomerApiKey.' })
export class RotateCustomerApiKeyPayload {
  @Field(() => String, { description: 'The new API key. Shown only now; the previous key works until its grace period ends.' })
  apiKey!: string;

  @Field(() => CustomerType, { description: 'The customer.' })
  customer!: CustomerType;

  @Field(() => Date, {
    description: 'When the keys this rotation replaced stop working (now plus API_KEY_ROTATION_GRACE_SECONDS); a key already rotated out earlier keeps its earlier end.',
  })
  previousKeysExpireAt!: Date;
}

@ObjectType('UpdateCustomerPayload', { description: 'Result of updateCustomer.' })
export class UpdateCustomerPayload {
  @Field(() => CustomerType, { description: 'The customer after the change.' })
  customer!: CustomerType;
}

@ObjectType('UpdatePrivacyCenterPayload', { description: 'The privacy center settings after the change.' })
export class UpdatePrivacyCenterPayload {
  @Field(() => CustomerType, { description: 'The customer, with its privacy center settings now.' })
  customer!: CustomerType;
}
