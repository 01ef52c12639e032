/**
 * Every SQL statement of 数据碰撞 runs, their jobs and their hits (疑点), including how hits
 * join clues. The statement computing a model's hits is the runner's (src/collision/run-model.ts).
 */
import { DataSource, EntityManager } from 'typeorm';
import { ModelParams } from '../../collision/model';
import type { RegionalParameters } from '../../collision/parameters';
import { ADVISORY_LOCKS } from '../../core/constants';
import { Connection, firstPages, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { codePrefix } from '../../core/regions';
import { badInput } from '../../core/errors';
import { SqlParams } from '../../core/sql';
import { amountRangeSql, dateRangeSql, regionSql } from '../../core/filters';
import { Tables } from '../../db/tables';
import { Actor, hitVisibleSql, runVisibleSql } from '../../policy';
import { clueMachine, type ClueStatus } from '../clue/clue.machine';
import type { HitVerification } from './hit-verification.machine';

type Db = DataSource | EntityManager;

export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** A run as read: its dates as text (RUN_SELECT), so that no time zone shifts them. */
export type CollisionRunRow = Omit<
  Tables['collision_run'],
  'from_date' | 'to_date' | 'status' | 'parameters' | 'regional_parameters'
> & {
  from_date: string;
  to_date: string;
  status: RunStatus;
  /** The effective parameters per model, fixed when the run started. */
  parameters: Record<string, ModelParams>;
  /** Per model, the overrides of more specific regions inside the run's (each hit by its subject's region). */
  regional_parameters: Record<string, RegionalParameters[]>;
};

export type CollisionRunJobRow = Pick<
  Tables['collision_run_job'],
  'run_id' | 'model' | 'slice_key' | 'attempts' | 'hits' | 'duration_ms' | 'error'
> & { status: RunStatus };

export type CollisionHitRow = Omit<Tables['collision_hit'], 'updated_at'>;

/** One (model, slice) job of a run. */
export interface CollisionJobKey {
  runId: string;
  model: string;
  slice: string;
}

const RUN_SELECT = `r.*, to_char(r.from_date, 'YYYY-MM-DD') AS from_date, to_char(r.to_date, 'YYYY-MM-DD') AS to_date`;

// ---------------------------------------------------------------------------------------
// Runs and jobs
// ---------------------------------------------------------------------------------------

/** A run by id (text: the CLI passes ids as typed), or null. */
export async function runById(db: Db, runId: string): Promise<CollisionRunRow | null> {
  const [row]: CollisionRunRow[] = await db.query(`SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id::text = $1`, [
    runId,
  ]);
  return row ?? null;
}

/** A run the actor may see, or null. */
export async function visibleRunById(db: Db, actor: Actor, runId: string): Promise<CollisionRunRow | null> {
  const params = new SqlParams([runId]);
  const [row]: CollisionRunRow[] = await db.query(
    `SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id = $1 AND ${runVisibleSql(actor, params)}`,
    params.values,
  );
  return row ?? null;
}

/** Runs by id, for batch loading (the first and last runs of hits). */
export function runsByIds(db: Db, ids: readonly string[]): Promise<CollisionRunRow[]> {
  return db.query(`SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

/** The runs of campaigns the actor may see (as runs), newest first. */
export function visibleRunsByCampaignIds(
  db: Db,
  actor: Actor,
  campaignIds: readonly string[],
): Promise<CollisionRunRow[]> {
  const params = new SqlParams([campaignIds]);
  return db.query(
    `SELECT ${RUN_SELECT} FROM collision_run r WHERE r.campaign_id = ANY($1::uuid[]) AND ${runVisibleSql(actor, params)}
     ORDER BY r.created_at DESC, r.id`,
    params.values,
  );
}

/** What a run list may be filtered by (ids already decoded). */
export interface RunListFilter {
  status?: readonly string[] | null;
  model?: string | null;
  regionCode?: string | null;
  /** The run's window overlaps [periodFrom, periodTo] (days, inclusive). */
  periodFrom?: string | null;
  periodTo?: string | null;
  /** Civil dates (TIME_ZONE) of the request, inclusive. */
  createdFrom?: string | null;
  createdTo?: string | null;
  campaignId?: string | null;
}

/** The visible runs matching `filter`, newest first. */
export function pageRuns(
  db: Db,
  actor: Actor,
  filter: RunListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionRunRow>> {
  const params = new SqlParams();
  const p = (v: unknown) => params.add(v);
  const where = [runVisibleSql(actor, params)];
  if (filter.status?.length) where.push(`r.status = ANY(${p(filter.status)})`);
  if (filter.model) where.push(`${p(filter.model)} = ANY(r.models)`);
  if (filter.regionCode) where.push(regionSql(params, 'r.region_code', filter.regionCode));
  if (filter.periodFrom && filter.periodTo && filter.periodFrom > filter.periodTo) {
    throw badInput('period range: from is after to');
  }
  // The listed row carries from_date/to_date twice (as dates and as text): read the table's.
  const window: string[] = [];
  if (filter.periodFrom) window.push(`fr.to_date >= ${p(filter.periodFrom)}::date`);
  if (filter.periodTo) window.push(`fr.from_date <= ${p(filter.periodTo)}::date`);
  if (window.length)
    where.push(`EXISTS (SELECT 1 FROM collision_run fr WHERE fr.id = r.id AND ${window.join(' AND ')})`);
  where.push(...dateRangeSql(params, 'r.created_at', { from: filter.createdFrom, to: filter.createdTo }, 'created'));
  if (filter.campaignId) where.push(`r.campaign_id = ${p(filter.campaignId)}`);
  return paginate<TimeOrderedRow<CollisionRunRow>, CollisionRunRow>({
    query: (sql, ps) => db.query(sql, ps),
    ...timeOrdered<CollisionRunRow>({ table: 'collision_run', alias: 'r', select: RUN_SELECT }),
    where,
    params,
    first,
    after,
    map: ({ time_us: _time, ...row }) => row,
  });
}

/** The jobs of runs, by model and slice. */
export function jobsByRunIds(db: Db, runIds: readonly string[]): Promise<CollisionRunJobRow[]> {
  return db.query(
    `SELECT run_id, model, slice_key, status, attempts, hits, duration_ms, error FROM collision_run_job
     WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, model, slice_key`,
    [runIds],
  );
}

export async function regionExists(db: Db, code: string): Promise<boolean> {
  const rows: unknown[] = await db.query('SELECT 1 FROM region WHERE code = $1', [code]);
  return rows.length > 0;
}

/** Records a QUEUED run; returns its id. */
export async function insertRun(
  m: EntityManager,
  run: Pick<
    CollisionRunRow,
    | 'models'
    | 'from_date'
    | 'to_date'
    | 'region_code'
    | 'parameters'
    | 'regional_parameters'
    | 'created_by'
    | 'institution_codes'
    | 'forms_clues'
  >,
): Promise<string> {
  const [row]: Pick<CollisionRunRow, 'id'>[] = await m.query(
    `INSERT INTO collision_run (models, from_date, to_date, region_code, parameters, regional_parameters, created_by,
                                institution_codes, forms_clues)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      run.models,
      run.from_date,
      run.to_date,
      run.region_code,
      JSON.stringify(run.parameters),
      JSON.stringify(run.regional_parameters),
      run.created_by,
      run.institution_codes,
      run.forms_clues,
    ],
  );
  return row.id;
}

/** Records the jobs of a run (QUEUED). */
export async function insertRunJobs(m: EntityManager, jobs: readonly CollisionJobKey[]): Promise<void> {
  await m.query(
    `INSERT INTO collision_run_job (run_id, model, slice_key)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])`,
    [jobs.map((j) => j.runId), jobs.map((j) => j.model), jobs.map((j) => j.slice)],
  );
}

/** A QUEUED run becomes RUNNING when its first job starts. */
export async function markRunRunning(db: Db, runId: string): Promise<void> {
  await db.query(
    `UPDATE collision_run SET status = 'RUNNING', started_at = coalesce(started_at, now()) WHERE id = $1 AND status = 'QUEUED'`,
    [runId],
  );
}

/** Counts an attempt of a job (RUNNING unless it already SUCCEEDED); null when the job is unknown. */
export async function startJobAttempt(
  db: Db,
  job: CollisionJobKey,
): Promise<Pick<CollisionRunJobRow, 'status' | 'hits'> | null> {
  const [row]: Pick<CollisionRunJobRow, 'status' | 'hits'>[] = await db.query(
    `WITH started AS (
       UPDATE collision_run_job SET attempts = attempts + 1,
              status = CASE WHEN status = 'SUCCEEDED' THEN status ELSE 'RUNNING' END,
              started_at = coalesce(started_at, now())
       WHERE run_id = $1 AND model = $2 AND slice_key = $3 RETURNING status, hits)
     SELECT * FROM started`,
    [job.runId, job.model, job.slice],
  );
  return row ?? null;
}

/** A job's work committed (in the transaction of the work itself). */
export async function markJobSucceeded(
  m: EntityManager,
  job: CollisionJobKey,
  result: { hits: number; inserted: number; updated: number; durationMs: number },
): Promise<void> {
  await m.query(
    `UPDATE collision_run_job
     SET status = 'SUCCEEDED', hits = $4, inserted = $5, updated = $6, error = NULL,
         started_at = coalesce(started_at, now()), finished_at = clock_timestamp(), duration_ms = $7
     WHERE run_id = $1 AND model = $2 AND slice_key = $3`,
    [job.runId, job.model, job.slice, result.hits, result.inserted, result.updated, result.durationMs],
  );
}

/** A job whose retries are exhausted, and its run, become FAILED. */
export async function markJobAndRunFailed(
  m: EntityManager,
  job: CollisionJobKey,
  errors: { job: string; run: string },
): Promise<void> {
  await m.query(
    `UPDATE collision_run_job SET status = 'FAILED', error = $4, finished_at = clock_timestamp()
     WHERE run_id = $1 AND model = $2 AND slice_key = $3 AND status <> 'SUCCEEDED'`,
    [job.runId, job.model, job.slice, errors.job],
  );
  await m.query(
    `UPDATE collision_run SET status = 'FAILED', error = $2, finished_at = clock_timestamp()
     WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')`,
    [job.runId, errors.run],
  );
}

/**
 * Takes the finalisation lock (one finalisation at a time: clue creation must see every other
 * run's new clues) and locks the run; returns its status and the number of unfinished jobs.
 */
export async function lockRunForFinalize(
  m: EntityManager,
  runId: string,
): Promise<{ status: RunStatus; open_jobs: number; forms_clues: boolean } | null> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.finalizeCollisionRun]);
  const [run]: { status: RunStatus; open_jobs: number; forms_clues: boolean }[] = await m.query(
    `SELECT r.status, r.forms_clues, (SELECT count(*)::int FROM collision_run_job j WHERE j.run_id = r.id AND j.status <> 'SUCCEEDED') AS open_jobs
     FROM collision_run r WHERE r.id = $1 FOR UPDATE`,
    [runId],
  );
  return run ?? null;
}

export async function markRunSucceeded(m: EntityManager, runId: string, cluesCreated: number): Promise<void> {
  await m.query(
    `UPDATE collision_run SET status = 'SUCCEEDED', finished_at = clock_timestamp(), clues_created = $2,
            hit_count = (SELECT count(*) FROM collision_hit WHERE last_run_id = $1)
     WHERE id = $1`,
    [runId, cluesCreated],
  );
}

/** Hits per model of a run's jobs. */
export function runHitsByModel(db: Db, runId: string): Promise<{ model: string; hits: number }[]> {
  return db.query(
    `SELECT model, coalesce(sum(hits), 0)::int AS hits FROM collision_run_job WHERE run_id = $1 GROUP BY model ORDER BY model`,
    [runId],
  );
}

/** Hits stored per model (each hit once, however many runs re-detected it). */
export function storedHitsByModel(db: Db): Promise<{ model: string; hits: number }[]> {
  return db.query(`SELECT model, count(*)::int AS hits FROM collision_hit GROUP BY model`);
}

// ---------------------------------------------------------------------------------------
// Hits
// ---------------------------------------------------------------------------------------

/** A hit the actor may see, or null. */
export async function visibleHitById(db: Db, actor: Actor, hitId: string): Promise<CollisionHitRow | null> {
  const params = new SqlParams([hitId]);
  const [row]: CollisionHitRow[] = await db.query(
    `SELECT h.* FROM collision_hit h WHERE h.id = $1 AND ${hitVisibleSql(actor, params)}`,
    params.values,
  );
  return row ?? null;
}

/** What a hit list may be filtered by (ids already decoded). */
export interface HitListFilter {
  model?: string | null;
  runId?: string | null;
  institutionCode?: string | null;
  regionCode?: string | null;
  clueId?: string | null;
  verification?: string | null;
  ruleId?: string | null;
  minAmount?: string | null;
  maxAmount?: string | null;
  personId?: string | null;
  hasClue?: boolean | null;
  /** Civil dates (TIME_ZONE) the hit was first found, inclusive. */
  createdFrom?: string | null;
  createdTo?: string | null;
}

/** The order and cursor of every hit list: both readers below page the same way. */
const hitPages = () => timeOrdered<CollisionHitRow>({ table: 'collision_hit', alias: 'h' });

/** Visible hits matching `filter`, newest first, one page. */
export function pageHits(
  db: Db,
  actor: Actor,
  filter: HitListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionHitRow>> {
  const params = new SqlParams();
  const where: string[] = [];
  const p = (v: unknown) => params.add(v);
  if (filter.clueId) where.push(`h.clue_id = ${p(filter.clueId)}`);
  if (filter.verification) where.push(`h.verification = ${p(filter.verification)}`);
  if (filter.model) where.push(`h.model = ${p(filter.model)}`);
  if (filter.runId) where.push(`h.last_run_id = ${p(filter.runId)}`);
  if (filter.institutionCode) where.push(`h.institution_code = ${p(filter.institutionCode)}`);
  if (filter.regionCode) where.push(`h.region_code LIKE ${p(`${codePrefix(filter.regionCode)}%`)}`);
  if (filter.ruleId) where.push(`h.model LIKE 'RULE\\_%' AND h.detail->>'ruleId' = ${p(filter.ruleId)}`);
  where.push(...amountRangeSql(params, 'h.amount_involved', { min: filter.minAmount, max: filter.maxAmount }));
  // @> reads the GIN index on person_ids (= ANY would scan).
  if (filter.personId) where.push(`h.person_ids @> ARRAY[${p(filter.personId)}]::text[]`);
  if (filter.hasClue != null) where.push(`h.clue_id IS ${filter.hasClue ? 'NOT ' : ''}NULL`);
  where.push(...dateRangeSql(params, 'h.created_at', { from: filter.createdFrom, to: filter.createdTo }, 'created'));
  where.push(hitVisibleSql(actor, params));
  return paginate<TimeOrderedRow<CollisionHitRow>, CollisionHitRow>({
    query: (sql, ps) => db.query(sql, ps),
    ...hitPages(),
    where,
    params,
    first,
    after,
    map: ({ time_us: _time, ...row }) => row,
  });
}

/** The first page of the visible hits of each of many clues, in one query. */
export function firstHitPagesByClueIds(
  db: Db,
  actor: Actor,
  clueIds: readonly string[],
  first: number,
): Promise<Map<string, Connection<CollisionHitRow>>> {
  const params = new SqlParams([clueIds]);
  return firstPages<TimeOrderedRow<CollisionHitRow>, CollisionHitRow>({
    query: (sql, ps) => db.query(sql, ps),
    ...hitPages(),
    where: ['h.clue_id = ANY($1::uuid[])', hitVisibleSql(actor, params)],
    params,
    first,
    map: ({ time_us: _time, ...row }) => row,
    partitionBy: 'h.clue_id',
    groups: clueIds,
    groupOf: (row) => row.clue_id ?? '',
  });
}

// ---------------------------------------------------------------------------------------
// 疑点核查 (hit verification)
// ---------------------------------------------------------------------------------------

/** A hit as its verification reads it: the state as `status`, and the owner of its clue (null without a clue). */
export type HitForVerification = CollisionHitRow & {
  status: HitVerification;
  owner_department_id: string | null;
};

/**
 * The hits among `ids` that the actor may see, locked for the change (FOR UPDATE of the hit,
 * in id order so that concurrent bulk calls do not deadlock), with their clue's owner.
 */
export function lockVisibleHits(m: EntityManager, actor: Actor, ids: readonly string[]): Promise<HitForVerification[]> {
  const params = new SqlParams([ids]);
  return m.query(
    `SELECT h.*, h.verification AS status, oc.owner_department_id
     FROM collision_hit h LEFT JOIN clue oc ON oc.id = h.clue_id
     WHERE h.id = ANY($1::uuid[]) AND ${hitVisibleSql(actor, params)}
     ORDER BY h.id FOR UPDATE OF h`,
    params.values,
  );
}

/** Hits by id (after a change, to answer with). */
export function hitsByIds(db: Db, ids: readonly string[]): Promise<CollisionHitRow[]> {
  return db.query('SELECT h.* FROM collision_hit h WHERE h.id = ANY($1::uuid[])', [ids]);
}

/** The counts and amounts of the verification of a group of hits (exact money as text). */
export interface VerificationProgressRow {
  key: string;
  total: number;
  pending: number;
  confirmed: number;
  excluded: number;
  confirmed_amount: string;
  excluded_amount: string;
}

/** What hits a progress groups by: a clue's hits, a run's (last_run_id), an institution's. */
export const PROGRESS_GROUPS = {
  clue: { column: 'h.clue_id', type: 'uuid' },
  run: { column: 'h.last_run_id', type: 'uuid' },
  institution: { column: 'h.institution_code', type: 'text' },
} as const;

/**
 * The verification progress of each key's hits that the actor may see, in one query: counts per
 * state, Σ confirmed_amount of CONFIRMED hits, Σ amount_involved of EXCLUDED hits. Keys
 * without hits are absent.
 */
export function verificationProgressBy(
  db: Db,
  actor: Actor,
  group: keyof typeof PROGRESS_GROUPS,
  keys: readonly string[],
  states: { pending: HitVerification; confirmed: HitVerification; excluded: HitVerification },
): Promise<VerificationProgressRow[]> {
  const { column, type } = PROGRESS_GROUPS[group];
  const params = new SqlParams([keys, states.pending, states.confirmed, states.excluded]);
  return db.query(
    `SELECT ${column}::text AS key, count(*)::int AS total,
            count(*) FILTER (WHERE h.verification = $2)::int AS pending,
            count(*) FILTER (WHERE h.verification = $3)::int AS confirmed,
            count(*) FILTER (WHERE h.verification = $4)::int AS excluded,
            coalesce(sum(h.confirmed_amount) FILTER (WHERE h.verification = $3), 0)::text AS confirmed_amount,
            coalesce(sum(h.amount_involved) FILTER (WHERE h.verification = $4), 0)::text AS excluded_amount
     FROM collision_hit h
     WHERE ${column} = ANY($1::${type}[]) AND ${hitVisibleSql(actor, params)}
     GROUP BY 1`,
    params.values,
  );
}

// ---------------------------------------------------------------------------------------
// Hits → clues (MODELS.md "Clues from hits")
// ---------------------------------------------------------------------------------------

/**
 * A run's hits without a clue join the newest clue in one of `openStates` of their model and
 * institution; returns the number of hits each such clue received.
 */
export function joinHitsToOpenClues(
  m: EntityManager,
  runId: string,
  openStates: readonly ClueStatus[],
): Promise<{ clue_id: string; hits: number }[]> {
  return m.query(
    `WITH open_clue AS (
       SELECT DISTINCT ON (model, institution_code) id, model, institution_code FROM clue
       WHERE model IS NOT NULL AND status = ANY($2::text[])
       ORDER BY model, institution_code, created_at DESC, id),
     joined AS (
       UPDATE collision_hit h SET clue_id = o.id FROM open_clue o
       WHERE h.last_run_id = $1 AND h.clue_id IS NULL AND h.model = o.model AND h.institution_code = o.institution_code
       RETURNING h.clue_id)
     SELECT clue_id, count(*)::int AS hits FROM joined GROUP BY clue_id ORDER BY clue_id`,
    [runId, openStates],
  );
}

/** The (model, institution) groups of a run's hits that have no clue, in model and institution order. */
export function unattachedHitGroups(
  m: EntityManager,
  runId: string,
): Promise<{ model: string; institution_code: string; region_code: string; institution_name: string }[]> {
  return m.query(
    `SELECT h.model, h.institution_code, i.region_code, i.name AS institution_name
     FROM collision_hit h JOIN institution i ON i.code = h.institution_code
     WHERE h.last_run_id = $1 AND h.clue_id IS NULL
     GROUP BY h.model, h.institution_code, i.region_code, i.name
     ORDER BY h.model, h.institution_code`,
    [runId],
  );
}

/** A run's hits without a clue join the given clues of their model and institution; hits per clue. */
export function attachHitsToClues(
  m: EntityManager,
  runId: string,
  clueIds: readonly string[],
): Promise<{ clue_id: string; hits: number }[]> {
  return m.query(
    `WITH attached AS (
       UPDATE collision_hit h SET clue_id = c.id FROM clue c
       WHERE c.id = ANY($2::uuid[]) AND h.last_run_id = $1 AND h.clue_id IS NULL
         AND h.model = c.model AND h.institution_code = c.institution_code
       RETURNING h.clue_id)
     SELECT clue_id, count(*)::int AS hits FROM attached GROUP BY clue_id`,
    [runId, clueIds],
  );
}

/** Clues created from a run's hits that routing has not placed yet (still NEW). */
export async function unroutedCluesOfRun(db: Db, runId: string): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query(
    `SELECT count(*)::int AS n FROM clue c WHERE c.status = $2
     AND EXISTS (SELECT 1 FROM collision_hit h WHERE h.clue_id = c.id AND h.first_run_id = $1)`,
    [runId, clueMachine.creation.REGISTER.to],
  );
  return n;
}
