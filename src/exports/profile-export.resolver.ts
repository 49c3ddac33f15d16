import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { requireScopes } from '../graphql/auth-checker';
import { PROFILES_SUBJECT_ACCESS } from '../oauth';
import { SREG_FIELDS } from '../openid';
import { ExportService } from './export.service';
import { ProfileExportType, RequestProfileExportPayload } from './profile-export.type';

/** The document holds every personal field, so reading or requesting one needs every field scope. */
const EXPORT_SCOPES = ['profiles:read', ...SREG_FIELDS.map((field) => `profile.${field}`)];

@Resolver(() => ProfileExportType)
export class ProfileExportResolver {
  constructor(private readonly exports: ExportService) {}

  @Authorized(...EXPORT_SCOPES)
  @Mutation(() => RequestProfileExportPayload, {
    description:
      'Starts an export of everything held about a person (portability); a worker builds it. Needs `profiles:read` and every `profile.<field>`. The export of a restricted profile holds only the id and the flag, unless it is made for the person\'s own access request (`forDataSubjectAccessRequest`, which needs `profiles:subject-access` and is audited with that purpose).',
  })
  async requestProfileExport(
    @Ctx() { principal }: GraphqlContext,
    @Arg('profileId', () => ID) profileId: string,
    @Arg('forDataSubjectAccessRequest', () => Boolean, {
      nullable: true,
      defaultValue: false,
      description: 'The export answers the person\'s own access request (GDPR art. 15): a restricted person\'s data is included whole. Needs `profiles:subject-access`.',
    })
    forDataSubjectAccessRequest: boolean | null,
  ): Promise<RequestProfileExportPayload> {
    const isSubjectAccessRequest = forDataSubjectAccessRequest === true;
    if (isSubjectAccessRequest) requireScopes(principal, [PROFILES_SUBJECT_ACCESS]);
    const row = await this.exports.request(profileId, tenantOf(principal), { isSubjectAccessRequest });
    return { profileExport: ProfileExportType.from(row, null) };
  }

  @Authorized(...EXPORT_SCOPES)
  @Query(() => ProfileExportType, { nullable: true, description: 'One export by id, with its download link once ready. Needs `profiles:read` and every `profile.<field>`.' })
  async profileExport(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<ProfileExportType | null> {
    const row = await this.exports.get(id, tenantOf(principal));
    return row ? ProfileExportType.from(row, this.exports.downloadUrl(row)) : null;
  }
}
