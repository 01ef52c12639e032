import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { appendAudit, verifyAuditChain } from '../src/domain/audit/audit.service';
import { QUEUES } from '../src/queues';
import { QueueDefinition } from './registry';

/** Nightly check of the audit chain; a broken chain is logged as an error and audited. */
export const maintenanceQueue: QueueDefinition = {
  name: QUEUES.maintenance,
  concurrency: 1,
  schedulers: [{ id: 'verify-audit-chain', pattern: '30 2 * * *', jobName: 'verify-audit-chain' }],
  async process(services: AppServices, job: Job) {
    if (job.name !== 'verify-audit-chain') throw new Error(`unknown maintenance job ${job.name}`);
    const report = await verifyAuditChain(services.db);
    if (!report.valid) {
      services.log.error({ report }, 'audit chain broken');
      await appendAudit(services.db, { action: 'audit.chain-broken', detail: { ...report } });
    }
    return report;
  },
};
