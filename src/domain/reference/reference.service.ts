import { AppServices } from '../../app';
import { forbidden, notFound } from '../../core/errors';
import { Actor, canReadPersonalData } from '../../policy';
import { appendAudit } from '../audit/audit.service';
import { toGlobalId } from '../../core/ids';
import { decryptPersonalData } from './personal-data';

export type PersonalField = 'idNumber' | 'bankAccount';

const COLUMNS: Record<PersonalField, { enc: string; hash: string }> = {
  idNumber: { enc: 'id_number_enc', hash: 'id_number_hash' },
  bankAccount: { enc: 'bank_account_enc', hash: 'bank_account_hash' },
};

/**
 * The full value of a personal-data field, for a caller already allowed to see the person.
 * Every read is written to the audit log.
 */
export async function readPersonalData(
  services: AppServices,
  actor: Actor,
  personId: string,
  field: PersonalField,
): Promise<string | null> {
  const targetId = toGlobalId('Person', personId);
  // A refusal is audited by the audit middleware, like every other denial.
  if (!canReadPersonalData(actor)) throw forbidden(`reading ${field} is not allowed for your roles`);
  const { enc, hash } = COLUMNS[field];
  const rows: { enc: Buffer | null; hash: Buffer | null }[] = await services.db.query(
    `SELECT ${enc} AS enc, ${hash} AS hash FROM person WHERE person_id = $1`,
    [personId],
  );
  if (!rows[0]) throw notFound('person');
  if (!rows[0].enc) return null;
  const value = decryptPersonalData(services.personalDataKeys, rows[0].enc, rows[0].hash);
  await appendAudit(services.db, {
    actorId: actor.userId,
    action: 'personal-data.read',
    targetType: 'Person',
    targetId,
    detail: { field },
  });
  return value;
}
