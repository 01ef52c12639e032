/**
 * Every SQL statement of clues (线索): reads under the visibility policy, the one creation
 * (with the clue code), their persons, copies and amounts. Services call these functions; the
 * SQL stays here, visible.
 */
import { amountRangeSql, dateRangeSql } from '../../core/filters';
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { codePrefix } from '../../core/regions';
import { SqlParams } from '../../core/sql';
import { preparedRead } from '../../db/prepared';
import { Tables } from '../../db/tables';
import { Actor, clueVisibleSql } from '../../policy';
import type { ClueStatus } from './clue.machine';
import type { ClueSource } from './clue.sources';

type Db = DataSource | EntityManager;

/** A clue as every read returns it (CLUE_SELECT). */
export type ClueRow = Omit<Tables['clue'], 'source' | 'status' | 'status_before_transfer'> & {
  source: ClueSource;
  status: ClueStatus;
  status_before_transfer: ClueStatus | null;
  /** The receiver of the pending transfer, if any (for the machine's RECEIVER party). */
  pending_transfer_to?: string | null;
};

/** The clue columns every read selects, with the pending transfer's receiver for the machine. */
export const CLUE_SELECT = `c.*, (SELECT t.to_department_id FROM clue_transfer t WHERE t.clue_id = c.id AND t.status = 'PENDING') AS pending_transfer_to`;

/** Visible clues by id (ids not visible are absent). */
export function visibleCluesByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<ClueRow[]> {
  const params = new SqlParams([ids]);
  return preparedRead(
    db,
    `SELECT ${CLUE_SELECT} FROM clue c WHERE c.id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params)}`,
    params.values,
  );
}

/** A clue locked for a change by the system (routing), whatever its visibility. */
export async function lockClue(m: EntityManager, id: string): Promise<ClueRow | null> {
  const [row]: ClueRow[] = await m.query(`SELECT ${CLUE_SELECT} FROM clue c WHERE c.id = $1 FOR UPDATE`, [id]);
  return row ?? null;
}

/** The persons of clues: subjects first, then persons of the evidence. */
export function personsByClueIds(
  db: Db,
  clueIds: readonly string[],
): Promise<Pick<Tables['clue_person'], 'clue_id' | 'person_id'>[]> {
  return preparedRead(
    db,
    'SELECT clue_id, person_id FROM clue_person WHERE clue_id = ANY($1::uuid[]) ORDER BY clue_id, role DESC, person_id',
    [clueIds],
  );
}

/** 抄送: the departments clues are copied to, in the order they were copied. */
export function copiesByClueIds(
  db: Db,
  clueIds: readonly string[],
): Promise<Pick<Tables['clue_copy'], 'clue_id' | 'department_id'>[]> {
  return preparedRead(
    db,
    'SELECT clue_id, department_id FROM clue_copy WHERE clue_id = ANY($1::uuid[]) ORDER BY clue_id, copied_at',
    [clueIds],
  );
}

/** What a clue list may be filtered by (ids already decoded). */
export interface ClueListFilter {
  status?: ClueStatus[] | null;
  source?: ClueSource | null;
  model?: string | null;
  ownerDepartmentId?: string | null;
  regionCode?: string | null;
  institutionCode?: string | null;
  minAmount?: string | null;
  maxAmount?: string | null;
  /** Clues naming this person (参保人员 id). */
  personId?: string | null;
  /** Civil dates (TIME_ZONE), inclusive. */
  createdFrom?: string | null;
  createdTo?: string | null;
  /** Clues of a campaign (created from its runs). */
  campaignId?: string | null;
}

/** One page of the visible clues matching `filter`, newest first; counted unless `count` is false. */
export function pageClues(
  db: Db,
  actor: Actor,
  filter: ClueListFilter,
  first: number,
  after: string | null | undefined,
  count = true,
): Promise<Connection<ClueRow>> {
  const params = new SqlParams();
  const where = [clueVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter.status?.length) where.push(`c.status = ANY(${p(filter.status)})`);
  if (filter.source) where.push(`c.source = ${p(filter.source)}`);
  if (filter.model) where.push(`c.model = ${p(filter.model)}`);
  if (filter.ownerDepartmentId) where.push(`c.owner_department_id = ${p(filter.ownerDepartmentId)}`);
  if (filter.regionCode) where.push(`c.region_code LIKE ${p(`${codePrefix(filter.regionCode)}%`)}`);
  if (filter.institutionCode) where.push(`c.institution_code = ${p(filter.institutionCode)}`);
  if (filter.campaignId) where.push(`c.campaign_id = ${p(filter.campaignId)}`);
  where.push(...amountRangeSql(params, 'c.amount_involved', { min: filter.minAmount, max: filter.maxAmount }));
  where.push(...dateRangeSql(params, 'c.created_at', { from: filter.createdFrom, to: filter.createdTo }, 'created'));
  if (filter.personId) {
    where.push(
      `EXISTS (SELECT 1 FROM clue_person fp WHERE fp.clue_id = c.id AND fp.person_id = ${p(filter.personId)})`,
    );
  }
  return paginate<TimeOrderedRow<ClueRow>, ClueRow>({
    query: (sql, ps) => preparedRead(db, sql, ps),
    ...timeOrdered<ClueRow>({ table: 'clue', alias: 'c', select: CLUE_SELECT }),
    where,
    params,
    first,
    after,
    count,
    map: ({ time_us: _time, ...row }) => row,
  });
}

/** The columns a new clue is inserted with; it starts NEW. */
export type NewClueRow = Pick<Tables['clue'], 'title' | 'description' | 'region_code' | 'amount_involved'> &
  Partial<Pick<Tables['clue'], 'model' | 'institution_code' | 'created_by'>> & { source: ClueSource };

/**
 * The one insertion of clues, for registration and the collision alike: each gets the next
 * clue code (XS<year in TIME_ZONE>-<6-digit sequence>), in the order of `rows`, and starts NEW.
 * Returns the inserted rows in that order. The caller records their creation (recordCreation).
 */
export async function insertClues(m: EntityManager, rows: readonly NewClueRow[]): Promise<ClueRow[]> {
  if (!rows.length) return [];
  const column = <K extends keyof NewClueRow>(key: K) => rows.map((r) => r[key] ?? null);
  return m.query(
    `WITH created AS (
       INSERT INTO clue (code, title, description, source, status, model, institution_code, region_code, amount_involved, created_by)
       SELECT 'XS' || to_char(now() AT TIME ZONE '${TIME_ZONE}', 'YYYY') || '-' || lpad(nextval('clue_code_seq')::text, 6, '0'),
              x.title, x.description, x.source, 'NEW', x.model, x.institution_code, x.region_code, x.amount_involved, x.created_by
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::uuid[])
            WITH ORDINALITY AS x(title, description, source, model, institution_code, region_code, amount_involved, created_by, n)
       ORDER BY x.n
       RETURNING *)
     SELECT c.*, NULL::uuid AS pending_transfer_to FROM created c ORDER BY c.code`,
    [
      column('title'),
      column('description'),
      column('source'),
      column('model'),
      column('institution_code'),
      column('region_code'),
      column('amount_involved'),
      column('created_by'),
    ],
  );
}

/** A clue's subjects and the persons of its evidence (a subject is not also evidence). */
export async function insertCluePersons(
  m: EntityManager,
  clueId: string,
  persons: { subjects: readonly string[]; evidence: readonly string[] },
): Promise<void> {
  await m.query(
    `INSERT INTO clue_person (clue_id, person_id, role)
     SELECT $1::uuid, p, 'SUBJECT' FROM unnest($2::text[]) p
     UNION SELECT $1::uuid, p, 'EVIDENCE' FROM unnest($3::text[]) p WHERE p <> ALL($2::text[])
     ON CONFLICT DO NOTHING`,
    [clueId, persons.subjects, persons.evidence],
  );
}

/** 抄送: records a copy of a clue to a department (once). */
export async function insertClueCopy(
  m: EntityManager,
  copy: Pick<Tables['clue_copy'], 'clue_id' | 'department_id' | 'reason'>,
): Promise<void> {
  await m.query(`INSERT INTO clue_copy (clue_id, department_id, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
    copy.clue_id,
    copy.department_id,
    copy.reason,
  ]);
}

/** The persons of the evidence of a run's attached hits join their clues. */
export async function addEvidencePersonsOfRun(m: EntityManager, runId: string): Promise<void> {
  await m.query(
    `INSERT INTO clue_person (clue_id, person_id, role)
     SELECT DISTINCT h.clue_id, p.person_id, 'EVIDENCE'
     FROM collision_hit h CROSS JOIN LATERAL unnest(h.person_ids) AS u(person_id)
     JOIN person p ON p.person_id = u.person_id
     WHERE h.last_run_id = $1 AND h.clue_id IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [runId],
  );
}

/**
 * The amount of every clue a run's hits belong to becomes the sum over its hits (a derived
 * column, kept in step with the hits; not an event of the clue).
 */
export async function sumClueAmountsOverHits(m: EntityManager, runId: string): Promise<void> {
  await m.query(
    `UPDATE clue c SET amount_involved = s.total, updated_at = now()
     FROM (SELECT clue_id, sum(amount_involved) AS total FROM collision_hit
           WHERE clue_id IN (SELECT clue_id FROM collision_hit WHERE last_run_id = $1 AND clue_id IS NOT NULL)
           GROUP BY clue_id) s
     WHERE c.id = s.clue_id AND c.amount_involved IS DISTINCT FROM s.total`,
    [runId],
  );
}

/**
 * For `applySystemEventInBulk` over given clues: the clues as candidates, each with its own
 * timeline detail (e.g. the hits a run added to it).
 */
export function cluesWithDetails(clues: readonly { id: string; detail: Record<string, unknown> }[]): {
  candidates: string;
  detailSource: string;
  params: SqlParams;
} {
  const params = new SqlParams();
  const ids = params.add(
    clues.map((c) => c.id),
    'uuid[]',
  );
  const details = params.add(
    clues.map((c) => JSON.stringify(c.detail)),
    'jsonb[]',
  );
  return {
    candidates: `SELECT unnest(${ids})`,
    detailSource: `SELECT * FROM unnest(${ids}, ${details})`,
    params,
  };
}

/** The region of an institution, or null when the code is unknown. */
export async function institutionRegionCode(db: Db, code: string): Promise<string | null> {
  const [row]: Pick<Tables['institution'], 'region_code'>[] = await db.query(
    'SELECT region_code FROM institution WHERE code = $1',
    [code],
  );
  return row?.region_code ?? null;
}

/** Those of `personIds` that are known persons. */
export async function knownPersonIds(db: Db, personIds: readonly string[]): Promise<string[]> {
  const rows: Pick<Tables['person'], 'person_id'>[] = await db.query(
    'SELECT person_id FROM person WHERE person_id = ANY($1)',
    [personIds],
  );
  return rows.map((r) => r.person_id);
}

/** How many of a clue's collision hits are still in `pendingState` (待核查): a verdict waits for none. */
export async function pendingHitCount(db: Db, clueId: string, pendingState: string): Promise<number> {
  const [row]: { n: number }[] = await db.query(
    'SELECT count(*)::int AS n FROM collision_hit WHERE clue_id = $1 AND verification = $2',
    [clueId, pendingState],
  );
  return row.n;
}

/** Clues created from a campaign's run carry the campaign (finalisation; a run without a campaign changes nothing). */
export async function setCampaignOfRunClues(
  m: EntityManager,
  runId: string,
  clueIds: readonly string[],
): Promise<void> {
  if (!clueIds.length) return;
  await m.query(
    `UPDATE clue c SET campaign_id = r.campaign_id FROM collision_run r
     WHERE r.id = $1 AND r.campaign_id IS NOT NULL AND c.id = ANY($2::uuid[])`,
    [runId, clueIds],
  );
}
