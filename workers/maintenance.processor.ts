import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { MAINTENANCE_JOBS, MaintenanceJob } from '../src/core/constants';
import { appendAudit, verifyAuditChain } from '../src/domain/audit/audit.service';
import { startCollisionRun } from '../src/domain/collision/collision-run.service';
import { shanghaiDate } from '../src/domain/reference/working-days';
import { sweepRechecks } from '../src/domain/problem/recheck-runner';
import { markOverdueMeasures, remindMeasureDeadlines } from '../src/domain/problem/measure.jobs';
import { markOverdueSupervision, remindSupervisionDeadlines } from '../src/domain/supervision/supervision.jobs';
import { markOverdueTransfers } from '../src/domain/transfer/transfer.jobs';
import { QUEUES } from '../src/queues';
import { QueueDefinition, Scheduler } from './queue-definition';
import { routeStrandedClues } from '../src/domain/routing/routing.service';
import { refreshRollup } from '../src/domain/stats/stats.repository';

type CollisionJob = typeof MAINTENANCE_JOBS.collisionNightly | typeof MAINTENANCE_JOBS.collisionMonthly;

/** A scheduled collision run over the window before the job's scheduled time. */
async function scheduledCollisionRun(services: AppServices, job: Job) {
  const window = scheduledWindow(job.name as CollisionJob, new Date(job.timestamp));
  const run = await startCollisionRun(services, window);
  return { runId: run.id, ...window };
}

/** What each maintenance job does, by its name. */
const HANDLERS: Record<MaintenanceJob, (services: AppServices, job: Job) => Promise<unknown>> = {
  /** A broken chain is logged as an error and audited. */
  [MAINTENANCE_JOBS.verifyAuditChain]: async (services) => {
    const report = await verifyAuditChain(services.db);
    if (!report.valid) {
      services.log.error({ report }, 'audit chain broken');
      await appendAudit(services.db, { action: 'audit.chain-broken', detail: { ...report } });
    }
    return report;
  },
  [MAINTENANCE_JOBS.deadlineSweep]: async (services) => ({
    transfersOverdue: (await markOverdueTransfers(services)).length,
    supervisionOverdue: (await markOverdueSupervision(services)).length,
    supervisionReminded: (await remindSupervisionDeadlines(services)).length,
    measures: {
      overdue: (await markOverdueMeasures(services)).length,
      reminded: (await remindMeasureDeadlines(services)).length,
    },
    // 回头看: start the due rechecks (by services.clock), judge those whose run has ended.
    rechecks: await sweepRechecks(services),
    // 分办 of clues whose routing job was lost.
    strandedCluesRouted: await routeStrandedClues(services),
    // The statistics' roll-up, after the sweep's own changes: readers rarely find much to refresh.
    statsDaysRefreshed: (await refreshRollup(services.db, services.config.stats.maxStalenessMs)).recomputed,
  }),
  [MAINTENANCE_JOBS.collisionNightly]: scheduledCollisionRun,
  [MAINTENANCE_JOBS.collisionMonthly]: scheduledCollisionRun,
};

const isMaintenanceJob = (name: string): name is MaintenanceJob => Object.hasOwn(HANDLERS, name);

/** A scheduler whose id is its job's name. */
const scheduler = (jobName: MaintenanceJob, repeat: Scheduler['repeat']): Scheduler => ({
  id: jobName,
  repeat,
  jobName,
});

/**
 * Housekeeping: the nightly audit-chain check, the deadline sweep (overdue transfers and
 * supervision items, due rechecks, then the statistics' roll-up brought up to date within
 * STATS_MAX_STALENESS_MS) and the scheduled collision runs.
 */
export const maintenanceQueue: QueueDefinition = {
  name: QUEUES.maintenance,
  concurrency: 1,
  schedulers: ({ collisionSchedule }) => [
    scheduler(MAINTENANCE_JOBS.verifyAuditChain, { pattern: '30 2 * * *' }),
    // Deadlines are flagged within a minute of passing.
    scheduler(MAINTENANCE_JOBS.deadlineSweep, { every: 30_000 }),
    ...(collisionSchedule.nightly
      ? [scheduler(MAINTENANCE_JOBS.collisionNightly, { pattern: collisionSchedule.nightly })]
      : []),
    ...(collisionSchedule.monthly
      ? [scheduler(MAINTENANCE_JOBS.collisionMonthly, { pattern: collisionSchedule.monthly })]
      : []),
  ],
  async process(services: AppServices, job: Job) {
    if (!isMaintenanceJob(job.name)) throw new Error(`unknown maintenance job ${job.name}`);
    return HANDLERS[job.name](services, job);
  },
};

/** Nightly: yesterday; monthly: last month — dates in TIME_ZONE, relative to when the job was scheduled. */
export function scheduledWindow(name: CollisionJob, at: Date): { from: string; to: string } {
  const today = shanghaiDate(at);
  const day = (offset: number, from = today) =>
    new Date(Date.parse(`${from}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  if (name === MAINTENANCE_JOBS.collisionNightly) return { from: day(-1), to: day(-1) };
  const firstOfThisMonth = `${today.slice(0, 7)}-01`;
  const lastOfPrevious = day(-1, firstOfThisMonth);
  return { from: `${lastOfPrevious.slice(0, 7)}-01`, to: lastOfPrevious };
}
