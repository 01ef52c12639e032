/**
 * The SQL of the reference data (基础数据): regions, departments, institutions, persons, the
 * per-region settings and the working-day calendar.
 */
import { DataSource, EntityManager, In } from 'typeorm';
import { Tables } from '../../db/tables';
import { DepartmentEntity, DepartmentKind } from './department.entity';
import { InstitutionEntity } from './institution.entity';
import { PersonEntity } from './person.entity';
import { RegionEntity } from './region.entity';
import { SEED_REGIONS } from './regions.seed';

type Db = DataSource | EntityManager;

// Regions (行政区划)

/** Inserts regions; existing codes are left alone. */
export async function insertRegions(db: Db, regions: typeof SEED_REGIONS): Promise<void> {
  await db.query(
    `INSERT INTO region (code, name, level, parent_code)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, level text, "parentCode" text)
     ORDER BY code
     ON CONFLICT (code) DO NOTHING`,
    [JSON.stringify(regions)],
  );
}

export async function allRegionCodes(db: Db): Promise<Tables['region']['code'][]> {
  const rows: Pick<Tables['region'], 'code'>[] = await db.query('SELECT code FROM region ORDER BY code');
  return rows.map((r) => r.code);
}

export const findRegion = (db: Db, code: string): Promise<RegionEntity | null> =>
  db.getRepository(RegionEntity).findOneBy({ code });

export const regionsByCodes = (db: Db, codes: readonly string[]): Promise<RegionEntity[]> =>
  db.getRepository(RegionEntity).findBy({ code: In([...codes]) });

// Departments (部门)

export const allDepartments = (db: Db): Promise<DepartmentEntity[]> =>
  db.getRepository(DepartmentEntity).find({ order: { regionCode: 'ASC', kind: 'ASC' } });

/** Departments by id (the loaders' read: plain SQL, without the ORM's query building per call). */
export async function departmentsByIds(db: Db, ids: readonly string[]): Promise<DepartmentEntity[]> {
  const rows: DepartmentEntity[] = await db.query(
    'SELECT id, kind, region_code AS "regionCode", name FROM department WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return rows.map((row) => Object.assign(new DepartmentEntity(), row));
}

export const findDepartment = (db: Db, kind: DepartmentKind, regionCode: string): Promise<DepartmentEntity | null> =>
  db.getRepository(DepartmentEntity).findOneBy({ kind, regionCode });

/** Inserts the department of (kind, region) unless one exists (a concurrent insert wins). */
export async function insertDepartmentIfMissing(
  db: Db,
  department: Pick<DepartmentEntity, 'kind' | 'regionCode' | 'name'>,
): Promise<DepartmentEntity> {
  const repo = db.getRepository(DepartmentEntity);
  await repo.createQueryBuilder().insert().values(department).orIgnore().execute();
  return repo.findOneByOrFail({ kind: department.kind, regionCode: department.regionCode });
}

// Institutions (定点医药机构) and persons (参保人员)

/** Institutions by code (the loaders' read: plain SQL, as departmentsByIds). */
export async function institutionsByCodes(db: Db, codes: readonly string[]): Promise<InstitutionEntity[]> {
  const rows: InstitutionEntity[] = await db.query(
    `SELECT code, name, kind, level, ownership, region_code AS "regionCode"
     FROM institution WHERE code = ANY($1::varchar[])`,
    [codes],
  );
  return rows.map((row) => Object.assign(new InstitutionEntity(), row));
}

export const personsByIds = (db: Db, ids: readonly string[]): Promise<PersonEntity[]> =>
  db.getRepository(PersonEntity).findBy({ personId: In([...ids]) });

/**
 * The ids of the persons whose resident ID number has this keyed hash (the hash column is
 * indexed; no row is decrypted), in id order.
 */
export async function personIdsByIdNumberHash(db: Db, hash: Buffer): Promise<string[]> {
  const rows: { person_id: string }[] = await db.query(
    'SELECT person_id FROM person WHERE id_number_hash = $1 ORDER BY person_id LIMIT 10',
    [hash],
  );
  return rows.map((r) => r.person_id);
}

/** The encrypted value of a personal-data field and its keyed hash. */
export type PersonalDataColumns =
  { enc: 'id_number_enc'; hash: 'id_number_hash' } | { enc: 'bank_account_enc'; hash: 'bank_account_hash' };

/** One person's encrypted field (null when the person does not exist). */
export async function findPersonalData(
  db: Db,
  personId: string,
  { enc, hash }: PersonalDataColumns,
): Promise<{ enc: Tables['person'][typeof enc]; hash: Tables['person'][typeof hash] } | null> {
  const rows: { enc: Buffer | null; hash: Buffer | null }[] = await db.query(
    `SELECT ${enc} AS enc, ${hash} AS hash FROM person WHERE person_id = $1`,
    [personId],
  );
  return rows[0] ?? null;
}

// Region settings (地区参数) and the calendar (工作日历)

/** Each setting's value from the row of longest region prefix matching the region ('' holds the defaults). */
export function regionSettingRows(
  db: Db,
  regionCode: string,
): Promise<Pick<Tables['region_setting'], 'key' | 'value'>[]> {
  return db.query(
    `SELECT DISTINCT ON (key) key, value FROM region_setting
     WHERE $1 LIKE region_prefix || '%'
     ORDER BY key, length(region_prefix) DESC`,
    [regionCode],
  );
}

/** The calendar's exceptions (holidays, working weekends) after `from` up to `to`, dates as YYYY-MM-DD. */
export function calendarExceptions(
  db: Db,
  from: string,
  to: string,
): Promise<{ day: string; is_working_day: Tables['calendar_exception']['is_working_day'] }[]> {
  return db.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, is_working_day FROM calendar_exception WHERE day > $1 AND day <= $2`,
    [from, to],
  );
}
