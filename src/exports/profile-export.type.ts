import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ProfileExport, ProfileExportStatus } from './profile-export.entity';

registerEnumType(ProfileExportStatus, {
  name: 'ProfileExportStatus',
  description: 'Where an export is: PENDING (being built), READY (downloadable), EXPIRED (purged), FAILED (could not be built).',
});

@ObjectType('ProfileExport', { description: 'A person\'s data as one JSON document, downloadable for a limited time through a signed link.' })
export class ProfileExportType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer the person belongs to.' })
  customerId!: string;

  @Field(() => ID, { description: 'The exported profile.' })
  profileId!: string;

  @Field(() => ProfileExportStatus, { description: 'Where the export is.' })
  status!: ProfileExportStatus;

  @Field(() => Date, { description: 'When it was requested.' })
  requestedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the document was built.' })
  readyAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the download link stops working and the document is purged.' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the document was purged.' })
  purgedAt!: Date | null;

  @Field(() => Int, { description: 'Build attempts so far.' })
  attempts!: number;

  @Field(() => Boolean, { description: 'Whether it answers the person\'s own access request (the only export that shows a restricted person whole).' })
  isDataSubjectAccessRequest!: boolean;

  @Field(() => String, { nullable: true, description: 'The signed download link (GET, JSON); only while READY and unexpired.' })
  downloadUrl!: string | null;

  static from(row: ProfileExport, downloadUrl: string | null): ProfileExportType {
    return Object.assign(new ProfileExportType(), {
      id: row.id,
      customerId: row.customer.id,
      profileId: row.profile.id,
      status: row.status,
      requestedAt: row.requestedAt,
      readyAt: row.readyAt,
      expiresAt: row.expiresAt,
      purgedAt: row.purgedAt,
      attempts: row.attempts,
      isDataSubjectAccessRequest: row.isSubjectAccessRequest,
      downloadUrl,
    });
  }
}

@ObjectType('RequestProfileExportPayload', { description: 'Result of requestProfileExport.' })
export class RequestProfileExportPayload {
  @Field(() => ProfileExportType, { description: 'The export, PENDING until the worker has built it.' })
  profileExport!: ProfileExportType;
}
