export { RegionDirectory } from './region-directory';
export type { RegionDirectorySettings } from './region-directory';
export type { DirectoryEntry } from './directory.repository';
export { addMissingEntries } from './directory.repository';
export { holdsOAuthClient, regionCustomers, relabelCustomers } from './regional.repository';
