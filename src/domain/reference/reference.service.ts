import { AppServices } from '../../app';
import { forbidden, notFound } from '../../core/errors';
import { Actor, canReadPersonalData } from '../../policy';
import { appendAudit } from '../audit/audit.service';
import { toGlobalId } from '../../core/ids';
import { decryptPersonalData } from './personal-data';
import { allDepartments, findPersonalData, PersonalDataColumns } from './reference.repository';
import { DepartmentEntity } from './department.entity';

export type PersonalField = 'idNumber' | 'bankAccount';

const COLUMNS: Record<PersonalField, PersonalDataColumns> = {
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
  const stored = await findPersonalData(services.db, personId, COLUMNS[field]);
  if (!stored) throw notFound('person');
  if (!stored.enc) return null;
  const value = decryptPersonalData(services.personalDataKeys, stored.enc, stored.hash);
  await appendAudit(services.db, {
    actorId: actor.userId,
    action: 'personal-data.read',
    targetType: 'Person',
    targetId,
    detail: { field },
  });
  return value;
}

/** Every department (transfer and supervision targets), by region and kind. */
export const listDepartments = (services: AppServices): Promise<DepartmentEntity[]> => allDepartments(services.db);
