import { ActorKind, runAs } from '../audit';
import { customerScope, Database, platformScope } from '../db/scope';
import { JobHandler } from '../jobs/workers';
import { buildProfileExportPayload, BuildProfileExportPayload, emptyPayload, JOBS, QUEUES, SCHEDULERS } from '../jobs/queues';
import { Logger } from '../shared/logger';
import { ExportJob, ExportService } from './export.service';

/** The audit trail names the worker by its job. */
const WORKER_ACTOR = { kind: ActorKind.SYSTEM, id: JOBS.buildProfileExport };
/** Most exports one sweep builds; the next run takes the rest. */
const SWEEP_LIMIT = 100;

/**
 * Builds one export in a transaction scoped to its customer. A failure is counted in a transaction
 * of its own (the build's rolled back) and rethrown, so BullMQ retries with backoff until the
 * export is FAILED. Answers whether it built the document.
 */
export async function buildProfileExport(db: Database, exports: ExportService, job: ExportJob, log?: Logger): Promise<boolean> {
  const scope = customerScope(job.customerId);
  try {
    const built = await runAs(WORKER_ACTOR, () => db.run(scope, () => exports.build(job.exportId)));
    if (built) log?.info({ exportId: job.exportId }, 'built profile export');
    return built;
  } catch (err) {
    const failed = await db.run(scope, () => exports.recordFailure(job.exportId));
    log?.error({ err, exportId: job.exportId, failed }, 'could not build profile export');
    throw err;
  }
}

/**
 * Builds every PENDING export, whether or not its job reached Redis: what makes a request made
 * while Redis was down (or a job lost with it) still complete. Answers how many it built.
 */
export async function sweepProfileExports(db: Database, exports: ExportService, log?: Logger): Promise<number> {
  const pending = await db.run(platformScope('sweep pending profile exports', { routine: true }), () => exports.pending(SWEEP_LIMIT));
  let built = 0;
  for (const job of pending) {
    try {
      if (await buildProfileExport(db, exports, job, log)) built++;
    } catch {
      // counted and logged by buildProfileExport; the others still get their turn
    }
  }
  return built;
}

/** The jobs of the `exports` queue: one per requested export, and the scheduled sweep. */
export function profileExportJobs(deps: { db: Database; exports: ExportService; sweepEveryMs: number }): JobHandler[] {
  return [
    {
      queue: QUEUES.exports,
      name: JOBS.buildProfileExport,
      payload: buildProfileExportPayload,
      run: (data, log) => buildProfileExport(deps.db, deps.exports, data as BuildProfileExportPayload, log),
    },
    {
      queue: QUEUES.exports,
      name: JOBS.sweepProfileExports,
      payload: emptyPayload,
      schedule: { schedulerId: SCHEDULERS.sweepProfileExports, everyMs: deps.sweepEveryMs },
      run: (_data, log) => sweepProfileExports(deps.db, deps.exports, log),
    },
  ];
}
