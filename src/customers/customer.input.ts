import { Field, InputType, Int } from 'type-graphql';
import { PromptPolicy, Region, ReturnToVerification } from './customer.entity';

@InputType('CreateCustomerInput', { description: 'A new customer.' })
export class CreateCustomerInput {
  @Field(() => String, { description: '1-63 lower-case letters, digits or inner hyphens; unique.' })
  slug!: string;

  @Field(() => String, { description: 'Display name, 1-200 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Absolute https URL (http only for loopback hosts).' })
  homeUrl?: string | null;

  @Field(() => String, { description: 'The AW login page: absolute https URL (http only for loopback hosts).' })
  verifyUrl!: string;

  @Field(() => Region, { description: 'Hosting region.' })
  region!: Region;

  @Field(() => PromptPolicy, { nullable: true, description: 'What a postback without `no_prompt` means; PROMPT when omitted.' })
  promptPolicy?: PromptPolicy;

  @Field(() => [String], { nullable: true, description: 'OpenID realms allowed to use this customer; empty or omitted means any.' })
  trustedRealms?: string[];

  @Field(() => ReturnToVerification, { nullable: true, description: 'Return-URL verification by RP discovery; RECORD when omitted.' })
  returnToVerification?: ReturnToVerification;

  @Field(() => Int, { nullable: true, description: 'Erase profiles not seen for this many days (1-36500); omitted or null keeps them.' })
  profileRetentionDays?: number | null;
}

@InputType('UpdateCustomerInput', { description: 'Changes to a customer; omitted fields stay as they are.' })
export class UpdateCustomerInput {
  @Field(() => String, { nullable: true, description: 'Display name, 1-200 characters.' })
  name?: string;

  @Field(() => String, { nullable: true, description: 'Absolute https URL; null clears it.' })
  homeUrl?: string | null;

  @Field(() => String, { nullable: true, description: 'The AW login page: absolute https URL.' })
  verifyUrl?: string;

  @Field(() => Region, { nullable: true, description: 'Hosting region.' })
  region?: Region;

  @Field(() => PromptPolicy, { nullable: true, description: 'What a postback without `no_prompt` means.' })
  promptPolicy?: PromptPolicy;

  @Field(() => [String], { nullable: true, description: 'Replaces the trusted realms; an empty list means any realm.' })
  trustedRealms?: string[];

  @Field(() => ReturnToVerification, { nullable: true, description: 'Return-URL verification by RP discovery.' })
  returnToVerification?: ReturnToVerification;

  @Field(() => Int, { nullable: true, description: 'Erase profiles not seen for this many days (1-36500); null switches retention off.' })
  profileRetentionDays?: number | null;
}
