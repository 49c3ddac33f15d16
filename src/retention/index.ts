export { RetentionService, MAX_BATCHES_PER_RUN, type Purger, type PurgeRunResult } from './retention.service';
