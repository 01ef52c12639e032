import { AppServices } from '../../app';
import { inTransaction } from '../../db/transaction';
import { SqlParams } from '../../core/sql';
import { applySystemEventInBulk } from '../../workflow/transition';
import { transferMachine } from './transfer.machine';
import { notifyTransfersOverdue, overdueTransferSweep } from './transfer.repository';

/**
 * Flags transfers past their accept or feedback deadline through the machine's OVERDUE (fired
 * by the system; it keeps the state), on their timelines, and notifies the sending
 * department's leaders — once per transfer and deadline (set-based, safe when two workers
 * run it at the same time).
 */
export async function markOverdueTransfers(services: AppServices): Promise<string[]> {
  return inTransaction(services.db, async (m) => {
    const params = new SqlParams();
    const sweep = overdueTransferSweep(params);
    const flagged = await applySystemEventInBulk(m, transferMachine, 'OVERDUE', {
      candidates: sweep.candidates,
      params,
      set: { overdue: 'true', overdue_since: 'now()' },
      detail: sweep.detail,
    });
    const ids = flagged.map((f) => f.id);
    if (ids.length) await notifyTransfersOverdue(m, ids);
    return ids;
  });
}
