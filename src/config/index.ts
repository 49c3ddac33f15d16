export { loadConfig, describeConfig, ConfigError } from './config';
export type { Config, LoadedConfig } from './config';
export { Secret } from './secret';
export type { MasterKey } from './master-keys';
export { plainKeyPrefix, REGION_NAMES } from './regions';
export type { RegionName, RegionSettings } from './regions';
