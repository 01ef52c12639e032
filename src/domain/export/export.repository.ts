/**
 * The lookups an export adds to each page of a list (names for the codes and ids the list rows
 * carry). The rows themselves, and which of them the caller may see, come from the lists' own
 * repositories; these statements read only what belongs to rows already shown.
 */
import { DataSource, EntityManager } from 'typeorm';
import { SqlParams } from '../../core/sql';
import { Actor, clueVisibleSql } from '../../policy';

type Db = DataSource | EntityManager;

const byKey = <K extends string, V>(rows: { key: K; value: V }[]): Map<K, V> =>
  new Map(rows.map((r) => [r.key, r.value]));

/** Department names by id. */
export async function departmentNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  return byKey(await db.query('SELECT id AS key, name AS value FROM department WHERE id = ANY($1::uuid[])', [ids]));
}

/** Institution names by code. */
export async function institutionNames(db: Db, codes: readonly string[]): Promise<Map<string, string>> {
  if (!codes.length) return new Map();
  return byKey(await db.query('SELECT code AS key, name AS value FROM institution WHERE code = ANY($1)', [codes]));
}

/** Person names by person id. */
export async function personNames(db: Db, personIds: readonly string[]): Promise<Map<string, string>> {
  if (!personIds.length) return new Map();
  return byKey(
    await db.query('SELECT person_id AS key, name AS value FROM person WHERE person_id = ANY($1)', [personIds]),
  );
}

/** The names of each clue's persons, subjects first (the order of the clue's `persons`). */
export async function personNamesByClue(db: Db, clueIds: readonly string[]): Promise<Map<string, string[]>> {
  if (!clueIds.length) return new Map();
  return byKey(
    await db.query(
      `SELECT cp.clue_id AS key, array_agg(p.name ORDER BY cp.role DESC, cp.person_id) AS value
       FROM clue_person cp JOIN person p ON p.person_id = cp.person_id
       WHERE cp.clue_id = ANY($1::uuid[]) GROUP BY cp.clue_id`,
      [clueIds],
    ),
  );
}

/**
 * Each case's clue codes and the names of those clues' persons (each once), of the clues the
 * caller may see (as the case's `clues` field shows them).
 */
export async function clueFactsByCase(
  db: Db,
  actor: Actor,
  caseIds: readonly string[],
): Promise<Map<string, { clue_codes: string[]; person_names: string[] }>> {
  if (!caseIds.length) return new Map();
  const params = new SqlParams([caseIds]);
  const rows: { case_id: string; clue_codes: string[]; person_names: string[] | null }[] = await db.query(
    `WITH seen AS (
       SELECT kc.case_id, c.id, c.code FROM case_clue kc JOIN clue c ON c.id = kc.clue_id
       WHERE kc.case_id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params, 'c')})
     SELECT s.case_id, array_agg(s.code ORDER BY s.code) AS clue_codes,
            (SELECT array_agg(DISTINCT p.name ORDER BY p.name) FROM seen s2
             JOIN clue_person cp ON cp.clue_id = s2.id JOIN person p ON p.person_id = cp.person_id
             WHERE s2.case_id = s.case_id) AS person_names
     FROM seen s GROUP BY s.case_id`,
    params.values,
  );
  return new Map(rows.map((r) => [r.case_id, { clue_codes: r.clue_codes, person_names: r.person_names ?? [] }]));
}
