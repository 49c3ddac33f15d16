export { RetentionService, MAX_BATCHES_PER_RUN, type Purger, type PurgeRunResult } from './retention.service';
export { PurgeRunResolver } from './purge-run.resolver';
