import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { appendAudit, verifyAuditChain } from '../src/domain/audit/audit.service';
import { markOverdueTransfers } from '../src/domain/transfer/transfer.jobs';
import { QUEUES } from '../src/queues';
import { QueueDefinition } from './registry';

/**
 * Housekeeping: the nightly audit-chain check (a broken chain is logged as an error and
 * audited) and the deadline sweep (overdue transfers and supervision items).
 */
export const maintenanceQueue: QueueDefinition = {
  name: QUEUES.maintenance,
  concurrency: 1,
  schedulers: [
    { id: 'verify-audit-chain', repeat: { pattern: '30 2 * * *' }, jobName: 'verify-audit-chain' },
    // Deadlines are flagged within a minute of passing.
    { id: 'deadline-sweep', repeat: { every: 30_000 }, jobName: 'deadline-sweep' },
  ],
  async process(services: AppServices, job: Job) {
    if (job.name === 'deadline-sweep') return { transfersOverdue: (await markOverdueTransfers(services)).length };
    if (job.name !== 'verify-audit-chain') throw new Error(`unknown maintenance job ${job.name}`);
    const report = await verifyAuditChain(services.db);
    if (!report.valid) {
      services.log.error({ report }, 'audit chain broken');
      await appendAudit(services.db, { action: 'audit.chain-broken', detail: { ...report } });
    }
    return report;
  },
};
