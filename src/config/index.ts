export { loadConfig, describeConfig, ConfigError } from './config';
export type { Config, LoadedConfig } from './config';
export { Secret } from './secret';
export type { MasterKey } from './master-keys';
