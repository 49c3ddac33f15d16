export { ExportService, MAX_BUILD_ATTEMPTS } from './export.service';
export type { Download, ExportJob, ExportServiceDeps } from './export.service';
export { ProfileExport, ProfileExportStatus } from './profile-export.entity';
export { DownloadSigner } from './download-url';
export { buildProfileExport, profileExportJobs, sweepProfileExports } from './build-profile-export.job';
export { EXPORT_FORMAT } from './export-document';
