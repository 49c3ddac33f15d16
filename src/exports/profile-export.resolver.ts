import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
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
    description: 'Starts an export of everything held about a person (portability); a worker builds it. Needs `profiles:read` and every `profile.<field>`.',
  })
  async requestProfileExport(@Ctx() { principal }: GraphqlContext, @Arg('profileId', () => ID) profileId: string): Promise<RequestProfileExportPayload> {
    const row = await this.exports.request(profileId, tenantOf(principal));
    return { profileExport: ProfileExportType.from(row, null) };
  }

  @Authorized(...EXPORT_SCOPES)
  @Query(() => ProfileExportType, { nullable: true, description: 'One export by id, with its download link once ready. Needs `profiles:read` and every `profile.<field>`.' })
  async profileExport(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<ProfileExportType | null> {
    const row = await this.exports.get(id, tenantOf(principal));
    return row ? ProfileExportType.from(row, this.exports.downloadUrl(row)) : null;
  }
}
