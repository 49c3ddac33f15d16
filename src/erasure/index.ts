export { ErasureService } from './erasure.service';
export { ErasurePurge, MAX_FAILURES, type AfterBatch, type CompletedDeletion } from './erasure.purge';
export { erasureJobs } from './erasure.jobs';
export { DeletionKind, DeletionReason, DeletionRequest, DeletionStatus } from './deletion-request.entity';
