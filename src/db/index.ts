export { ormOptions } from './mikro-orm.config';
export { ensureDatabase, dropDatabase } from './ensure-database';
