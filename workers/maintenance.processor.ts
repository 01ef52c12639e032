import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { appendAudit, verifyAuditChain } from '../src/domain/audit/audit.service';
import { markOverdueSupervision, remindSupervisionDeadlines } from '../src/domain/supervision/supervision.jobs';
import { markOverdueTransfers } from '../src/domain/transfer/transfer.jobs';
import { startCollisionRun } from '../src/domain/collision/collision-run.service';
import { shanghaiDate } from '../src/domain/reference/working-days';
import { QUEUES } from '../src/queues';
import { QueueDefinition } from './queue-definition';

/**
 * Housekeeping: the nightly audit-chain check (a broken chain is logged as an error and
 * audited) and the deadline sweep (overdue transfers and supervision items).
 */
export const maintenanceQueue: QueueDefinition = {
  name: QUEUES.maintenance,
  concurrency: 1,
  schedulers: (config) => [
    { id: 'verify-audit-chain', repeat: { pattern: '30 2 * * *' }, jobName: 'verify-audit-chain' },
    // Deadlines are flagged within a minute of passing.
    { id: 'deadline-sweep', repeat: { every: 30_000 }, jobName: 'deadline-sweep' },
    ...(config.collisionSchedule.nightly
      ? [
          {
            id: 'collision-nightly',
            repeat: { pattern: config.collisionSchedule.nightly },
            jobName: 'collision-nightly',
          },
        ]
      : []),
    ...(config.collisionSchedule.monthly
      ? [
          {
            id: 'collision-monthly',
            repeat: { pattern: config.collisionSchedule.monthly },
            jobName: 'collision-monthly',
          },
        ]
      : []),
  ],
  async process(services: AppServices, job: Job) {
    if (job.name === 'deadline-sweep') {
      return {
        transfersOverdue: (await markOverdueTransfers(services)).length,
        supervisionOverdue: (await markOverdueSupervision(services)).length,
        supervisionReminded: (await remindSupervisionDeadlines(services)).length,
      };
    }
    if (job.name === 'collision-nightly' || job.name === 'collision-monthly') {
      const window = scheduledWindow(job.name, new Date(job.timestamp));
      const run = await startCollisionRun(services, window);
      return { runId: run.id, ...window };
    }
    if (job.name !== 'verify-audit-chain') throw new Error(`unknown maintenance job ${job.name}`);
    const report = await verifyAuditChain(services.db);
    if (!report.valid) {
      services.log.error({ report }, 'audit chain broken');
      await appendAudit(services.db, { action: 'audit.chain-broken', detail: { ...report } });
    }
    return report;
  },
};

/** Nightly: yesterday; monthly: last month — dates in Asia/Shanghai, relative to when the job was scheduled. */
export function scheduledWindow(
  name: 'collision-nightly' | 'collision-monthly',
  at: Date,
): { from: string; to: string } {
  const today = shanghaiDate(at);
  const day = (offset: number, from = today) =>
    new Date(Date.parse(`${from}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  if (name === 'collision-nightly') return { from: day(-1), to: day(-1) };
  const firstOfThisMonth = `${today.slice(0, 7)}-01`;
  const lastOfPrevious = day(-1, firstOfThisMonth);
  return { from: `${lastOfPrevious.slice(0, 7)}-01`, to: lastOfPrevious };
}
