export { RegionDirectory } from './region-directory';
export type { RegionDirectorySettings } from './region-directory';
export type { DirectoryEntry } from './directory.repository';
export { addMissingEntries, checkDirectory } from './directory.repository';
export { holdsOAuthClient, regionCustomers, relabelCustomers } from './regional.repository';
export { RegionMoveService, RegionMoveError } from './region-move.service';
export type { MoveRegion } from './region-move.service';
export type { RegionMove, MoveState, MoveTable } from './region-move.repository';
