import { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { missingScopes, requireScopes, RequiresScopes } from '../graphql/auth-checker';
import { ConsentDecisionType, ConsentService, ConsentSubject, subjectKey } from '../consent';
import { BatchLoader } from '../graphql/batch-loader';
import { selectsField } from '../graphql/selection';
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

/** What `Profile.consentDecisions` needs. */
const CONSENT_DECISIONS_SCOPES = ['consents:read'];

/** Whose decisions a profile shows: nobody's while restricted (which sites a restricted person uses is theirs too). */
function consentSubjectOf(profile: ProfileType): ConsentSubject | null {
  return profile.isRestricted || profile.username === null ? null : { customerId: profile.customerId, username: profile.username };
}

@Resolver(() => ProfileType)
export class ProfileResolver {
  constructor(
    private readonly profileService: ProfileService,
    private readonly consent: ConsentService,
  ) {}

  @RequiresScopes(...CONSENT_DECISIONS_SCOPES)
  @FieldResolver(() => [ConsentDecisionType], { description: 'The user\'s consent decisions, newest first (none while restricted). Needs `consents:read`.' })
  consentDecisions(@Root() profile: ProfileType, @Ctx() context: GraphqlContext): ConsentDecisionType[] | Promise<ConsentDecisionType[]> {
    const subject = consentSubjectOf(profile);
    if (subject === null) return [];
    // At once when `profiles` loaded the page's decisions up front; otherwise batched with the rest of the response.
    return this.decisionsLoader(context).loadNow(subject);
  }

  @Authorized('profiles:read')
  @Query(() => ProfileConnection, { description: 'Profiles, oldest first, cursor-paginated. Needs `profiles:read` (and `profile.<field>` per personal field).' })
  async profiles(
    @Ctx() context: GraphqlContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => ProfileFilterInput, { nullable: true }) filter: ProfileFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<ProfileConnection> {
    const { principal } = context;
    // Filtering by email would reveal who has which address to a caller that may not read emails.
    if (filter?.email) requireScopes(principal, ['profile.email']);
    const page = await this.profileService.list(filter ?? {}, first, after, tenantOf(principal));
    const nodes = page.items.map(ProfileType.fromRecord);
    // Every row's decisions in the one batch the rows would make anyway, but before graphql-js walks
    // the rows, so each row's `consentDecisions` resolves at once instead of through promises.
    if (selectsField(info, ['nodes', 'consentDecisions']) && missingScopes(principal, CONSENT_DECISIONS_SCOPES).length === 0) {
      await this.decisionsLoader(context).loadMany(nodes.map(consentSubjectOf).filter((subject) => subject !== null));
    }
    return { nodes, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('profiles:read')
  @Query(() => ProfileType, { nullable: true, description: 'One profile by id. Needs `profiles:read`.' })
  async profile(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<ProfileType | null> {
    const found = await this.profileService.read(id, tenantOf(principal));
    return found ? ProfileType.fromRecord(found) : null;
  }

  @Authorized('profiles:read')
  @Query(() => ProfileType, { nullable: true, description: 'One customer\'s user by the AW\'s username (exact only: matched by its keyed hash). Needs `profiles:read`.' })
  async profileByUsername(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('username', () => String) username: string,
  ): Promise<ProfileType | null> {
    const found = await this.profileService.getByUsername(customerId, username, tenantOf(principal));
    return found ? ProfileType.fromRecord(found) : null;
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
    return { profile: ProfileType.fromRecord(await this.profileService.update(id, changes, tenantOf(principal))) };
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
    return { profile: ProfileType.fromRecord(await this.profileService.setRestriction(profileId, restricted, tenantOf(principal))) };
  }

  /** The operation's loader of consent decisions: one query for every profile of the response, not one per profile. */
  private decisionsLoader({ principal, loaders }: GraphqlContext): BatchLoader<ConsentSubject, ConsentDecisionType[]> {
    return loaders.get('profile.consentDecisions', () => {
      const tenant = tenantOf(principal);
      return new BatchLoader(async (subjects: ConsentSubject[]) => {
        const decisions = await this.consent.listForSubjects(subjects, tenant);
        return decisions.map((ofSubject) => ofSubject.map((d) => ConsentDecisionType.fromRecord(d, UNRESTRICTED)));
      }, subjectKey);
    });
  }
}
