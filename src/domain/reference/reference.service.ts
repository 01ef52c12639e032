import { AppServices } from '../../app';
import { badInput, forbidden, notFound } from '../../core/errors';
import { Actor, assertCanSearchByIdNumber, canLookUpReference, canReadPersonalData } from '../../policy';
import { appendAudit } from '../audit/audit.service';
import { toGlobalId } from '../../core/ids';
import { decryptPersonalData, keyedHash } from './personal-data';
import { maskIdNumber } from './id-number';
import { PersonEntity } from './person.entity';
import {
  allDepartments,
  findPersonalData,
  PersonalDataColumns,
  personIdsByIdNumberHash,
  personsByIds,
} from './reference.repository';
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

/**
 * 按身份证号查人: the person with this resident ID number, found through the keyed hash (the
 * number is hashed with the data key and compared with the indexed id_number_hash column; no
 * stored number is decrypted). For those who may read full personal data (policy
 * assertCanSearchByIdNumber); a person outside the caller's jurisdiction is not found. Every
 * search is audited (the number masked), found or not.
 */
export async function findPersonByIdNumber(
  services: AppServices,
  actor: Actor,
  idNumber: string,
): Promise<PersonEntity | null> {
  assertCanSearchByIdNumber(actor);
  const normalized = idNumber.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(normalized)) throw badInput('idNumber must be 18 characters: 17 digits and a digit or X');
  const ids = await personIdsByIdNumberHash(services.db, keyedHash(services.personalDataKeys, normalized));
  const persons = ids.length ? await personsByIds(services.db, ids) : [];
  const found = persons
    .sort((a, b) => a.personId.localeCompare(b.personId))
    .find((p) => canLookUpReference(actor, p.regionCode));
  await appendAudit(services.db, {
    actorId: actor.userId,
    action: 'personal-data.search',
    targetType: found ? 'Person' : null,
    targetId: found ? toGlobalId('Person', found.personId) : null,
    detail: { field: 'idNumber', idNumber: maskIdNumber(normalized), found: !!found },
  });
  return found ?? null;
}
