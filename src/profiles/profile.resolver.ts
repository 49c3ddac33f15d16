import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { requireScopes, RequiresScopes } from '../graphql/auth-checker';
import { ConsentDecisionType, ConsentService, ConsentSubject, subjectKey } from '../consent';
import { BatchLoader } from '../graphql/batch-loader';
import { SREG_FIELDS } from '../openid';
import { NotFoundError } from '../shared/errors';
import { ProfileService } from './profile.service';
import { disclosureOf } from './disclosure';
import { ProfileConnection, ProfileFilterInput, ProfileType, SetProfileRestrictionPayload, UpdateProfileInput, UpdateProfilePayload } from './profile.type';

/**
 * The disclosure rule for a person who is not restricted: `consentDecisions` is reached only for
 * those (restricted ones show none), so it shows their decisions whole. Asked once, not per row.
 */
const UNRESTRICTED = disclosureOf({ isRestricted: false }, 'read');

@Resolver(() => ProfileType)
export class ProfileResolver {
  constructor(
    private readonly profileService: ProfileService,
    private readonly consent: ConsentService,
  ) {}

  @RequiresScopes('consents:read')
  @FieldResolver(() => [ConsentDecisionType], { description: 'The user\'s consent decisions, newest first (none while restricted). Needs `consents:read`.' })
  async consentDecisions(@Root() profile: ProfileType, @Ctx() { principal, loaders }: GraphqlContext): Promise<ConsentDecisionType[]> {
    // Which sites a restricted person uses is theirs too: nothing is shown while restricted.
    if (profile.isRestricted || profile.username === null) return [];
    // One query for every profile of the response, not one per profile.
    const loader = loaders.get('profile.consentDecisions', () => {
      const tenant = tenantOf(principal);
      return new BatchLoader(async (subjects: ConsentSubject[]) => {
        const decisions = await this.consent.listForSubjects(subjects, tenant);
        return decisions.map((ofSubject) => ofSubject.map((d) => ConsentDecisionType.fromRecord(d, UNRESTRICTED)));
      }, subjectKey);
    });
    return loader.load({ customerId: profile.customerId, username: profile.username });
  }

  @Authorized('profiles:read')
  @Query(() => ProfileConnection, { description: 'Profiles, oldest first, cursor-paginated. Needs `profiles:read` (and `profile.<field>` per personal field).' })
  async profiles(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => ProfileFilterInput, { nullable: true }) filter: ProfileFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<ProfileConnection> {
    // Filtering by email would reveal who has which address to a caller that may not read emails.
    if (filter?.email) requireScopes(principal, ['profile.email']);
    const page = await this.profileService.list(filter ?? {}, first, after, tenantOf(principal));
    return { nodes: page.items.map(ProfileType.fromRecord), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('profiles:read')
  @Query(() => ProfileType, { nullable: true, description: 'One profile by id. Needs `profiles:read`.' })
  async profile(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<ProfileType | null> {
    const found = await this.profileService.get(id, tenantOf(principal));
    return found ? ProfileType.from(found) : null;
  }

  @Authorized('profiles:read')
  @Query(() => ProfileType, { nullable: true, description: 'One customer\'s user by the AW\'s username. Needs `profiles:read`.' })
  async profileByUsername(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('username', () => String) username: string,
  ): Promise<ProfileType | null> {
    const found = await this.profileService.getByUsername(customerId, username, tenantOf(principal));
    return found ? ProfileType.from(found) : null;
  }

  @Authorized('profiles:write')
  @Mutation(() => UpdateProfilePayload, {
    description: 'Rectifies a profile: only the fields given change, each validated like a postback value. Needs `profiles:write` and `profile.<field>` for each field given.',
  })
  async updateProfile(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateProfileInput) input: UpdateProfileInput,
  ): Promise<UpdateProfilePayload> {
    const given = SREG_FIELDS.filter((field) => input[field] !== undefined);
    // Another tenant's id must look missing, not forbidden, so look first, then check field scopes.
    if (!(await this.profileService.get(id, tenantOf(principal)))) throw new NotFoundError('profile', id);
    requireScopes(principal, given.map((field) => `profile.${field}`));
    const changes = Object.fromEntries(given.map((field) => [field, input[field]]));
    return { profile: ProfileType.from(await this.profileService.update(id, changes, tenantOf(principal))) };
  }

  @Authorized('profiles:write')
  @Mutation(() => SetProfileRestrictionPayload, {
    description:
      'Restricts processing of a profile (GDPR art. 18) or lifts the restriction. While restricted, sign-ins still work but release no attributes, login tokens carry no field scopes, reads show only the id and the flag, and updateProfile is refused with PROFILE_RESTRICTED. Setting the current state again changes nothing. Needs `profiles:write`.',
  })
  async setProfileRestriction(
    @Ctx() { principal }: GraphqlContext,
    @Arg('profileId', () => ID) profileId: string,
    @Arg('restricted', () => Boolean) restricted: boolean,
  ): Promise<SetProfileRestrictionPayload> {
    return { profile: ProfileType.from(await this.profileService.setRestriction(profileId, restricted, tenantOf(principal))) };
  }
}
