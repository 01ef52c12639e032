/**
 * 数据碰撞 runs: a run is split into one job per (model, slice), queued through the outbox,
 * executed by the collision workers (runModel: one set-based upsert each), and finalised by
 * whichever job finishes last: hits are attached to clues and the new clues handed to routing,
 * all in one transaction. Every step is idempotent, so a job retried after its worker was
 * killed converges on exactly the result of a clean run.
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { effectiveParameters } from '../../collision/parameters';
import { COLLISION_MODELS, MODEL_CODES } from '../../collision/registry';
import { refreshFactStatistics } from '../../collision/fact-statistics';
import { planSlices, runModel } from '../../collision/run-model';
import { badInput, notFound } from '../../core/errors';
import { toGlobalId } from '../../core/ids';
import { parseDate } from '../../graphql/scalars';
import { OUTBOX_TOPICS, enqueueOutbox } from '../../outbox/outbox';
import { appendAudit } from '../audit/audit.service';

export type RunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface CollisionRunRow extends Record<string, unknown> {
  id: string;
  models: string[];
  from_date: string;
  to_date: string;
  region_code: string | null;
  status: RunStatus;
  started_at: Date | null;
  finished_at: Date | null;
  hit_count: number;
  clues_created: number;
  parameters: Record<string, Record<string, number>>;
  error: string | null;
  created_by: string | null;
  created_at: Date;
}

export interface CollisionJobData {
  runId: string;
  model: string;
  slice: string;
}

/** Dates come back from PostgreSQL as text (see RUN_SELECT) so that no time zone shifts them. */
export const RUN_SELECT = `r.*, to_char(r.from_date, 'YYYY-MM-DD') AS from_date, to_char(r.to_date, 'YYYY-MM-DD') AS to_date`;

export async function findRun(db: AppServices['db'] | EntityManager, runId: string): Promise<CollisionRunRow> {
  const rows: CollisionRunRow[] = await db.query(`SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id::text = $1`, [
    runId,
  ]);
  if (!rows[0]) throw notFound('collision run');
  return rows[0];
}

/** Runs by id, for batch loading (the first and last runs of hits). */
export function runsByIds(db: AppServices['db'], ids: readonly string[]): Promise<CollisionRunRow[]> {
  return db.query(`SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

export interface CollisionRunJobRow {
  run_id: string;
  model: string;
  slice_key: string;
  status: RunStatus;
  attempts: number;
  hits: number | null;
  duration_ms: number | null;
  error: string | null;
}

/** The jobs of runs, by model and slice. */
export function jobsByRunIds(db: AppServices['db'], runIds: readonly string[]): Promise<CollisionRunJobRow[]> {
  return db.query(
    `SELECT run_id, model, slice_key, status, attempts, hits, duration_ms, error FROM collision_run_job
     WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, model, slice_key`,
    [runIds],
  );
}

export interface StartRunInput {
  models?: string[] | null;
  from: string;
  to: string;
  regionCode?: string | null;
  createdBy?: string | null;
}

/** Records a run and its jobs, and queues the jobs (through the outbox, in the same transaction). */
export async function startCollisionRun(services: AppServices, input: StartRunInput): Promise<CollisionRunRow> {
  const models = input.models?.length ? [...new Set(input.models)] : [...MODEL_CODES];
  const unknown = models.filter((m) => !MODEL_CODES.includes(m));
  if (unknown.length) throw badInput(`unknown collision models ${unknown.join(', ')}`);
  const from = parseDate(input.from);
  const to = parseDate(input.to);
  if (from > to) throw badInput(`from ${from} is after to ${to}`);
  if (input.regionCode) {
    const [region] = await services.db.query('SELECT code FROM region WHERE code = $1', [input.regionCode]);
    if (!region) throw badInput(`unknown region ${input.regionCode}`);
  }
  const runId = await services.db.transaction(async (m) => {
    const parameters = await effectiveParameters(m, models, input.regionCode);
    const [run]: { id: string }[] = await m.query(
      `INSERT INTO collision_run (models, from_date, to_date, region_code, parameters, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [models, from, to, input.regionCode ?? null, JSON.stringify(parameters), input.createdBy ?? null],
    );
    for (const model of models) {
      const slices = await planSlices(m, model, { from, to, regionCode: input.regionCode });
      await m.query(
        `INSERT INTO collision_run_job (run_id, model, slice_key) SELECT $1, $2, s FROM unnest($3::text[]) s`,
        [run.id, model, slices],
      );
      for (const slice of slices) {
        await enqueueOutbox(m, OUTBOX_TOPICS.collisionJob, `collision:${run.id}:${model}:${slice || 'all'}`, {
          runId: run.id,
          model,
          slice,
        } satisfies CollisionJobData);
      }
    }
    await appendAudit(m, {
      actorId: input.createdBy ?? null,
      action: 'CollisionRun.START',
      targetType: 'CollisionRun',
      targetId: toGlobalId('CollisionRun', run.id),
      detail: { models, from, to, regionCode: input.regionCode ?? null },
    });
    return run.id;
  });
  return findRun(services.db, runId);
}

/** Runs this process has refreshed the fact statistics for (once per run and process). */
const analyzedForRun = new Set<string>();

/**
 * Executes one job of a run (after the fact tables' statistics are refreshed: fact-statistics.ts). Safe to repeat: a job whose work is committed is skipped, the
 * upsert makes redoing it harmless, and finalisation happens once.
 */
export async function executeCollisionJob(
  services: AppServices,
  job: CollisionJobData,
): Promise<{ hits: number; skipped?: boolean }> {
  const run = await findRun(services.db, job.runId);
  if (run.status === 'SUCCEEDED' || run.status === 'FAILED') return { hits: 0, skipped: true };
  await services.db.query(
    `UPDATE collision_run SET status = 'RUNNING', started_at = coalesce(started_at, now()) WHERE id = $1 AND status = 'QUEUED'`,
    [job.runId],
  );
  const [state]: { status: string; hits: number | null }[] = await services.db.query(
    `WITH started AS (
       UPDATE collision_run_job SET attempts = attempts + 1,
              status = CASE WHEN status = 'SUCCEEDED' THEN status ELSE 'RUNNING' END,
              started_at = coalesce(started_at, now())
       WHERE run_id = $1 AND model = $2 AND slice_key = $3 RETURNING status, hits)
     SELECT * FROM started`,
    [job.runId, job.model, job.slice],
  );
  if (!state) throw notFound(`collision job ${job.model}/${job.slice}`);
  let hits = state.hits ?? 0;
  if (state.status !== 'SUCCEEDED') {
    if (!analyzedForRun.has(job.runId)) {
      await refreshFactStatistics(services.db);
      if (analyzedForRun.size >= 1000) analyzedForRun.clear();
      analyzedForRun.add(job.runId);
    }
    const result = await runModel(services.db, {
      runId: job.runId,
      model: job.model,
      from: run.from_date,
      to: run.to_date,
      regionCode: run.region_code,
      params: run.parameters[job.model],
      slice: job.slice,
    });
    hits = result.hits;
  }
  await finalizeRun(services, job.runId);
  return { hits };
}

/** Marks a job and its run FAILED once its retries are exhausted. */
export async function failCollisionJob(services: AppServices, job: CollisionJobData, error: string): Promise<void> {
  await services.db.transaction(async (m) => {
    await m.query(
      `UPDATE collision_run_job SET status = 'FAILED', error = $4, finished_at = clock_timestamp()
       WHERE run_id = $1 AND model = $2 AND slice_key = $3 AND status <> 'SUCCEEDED'`,
      [job.runId, job.model, job.slice, error],
    );
    await m.query(
      `UPDATE collision_run SET status = 'FAILED', error = $2, finished_at = clock_timestamp()
       WHERE id = $1 AND status IN ('QUEUED', 'RUNNING')`,
      [job.runId, `${job.model}${job.slice ? `/${job.slice}` : ''}: ${error}`],
    );
    await appendAudit(m, {
      action: 'CollisionRun.FAILED',
      targetType: 'CollisionRun',
      targetId: toGlobalId('CollisionRun', job.runId),
      detail: { model: job.model, slice: job.slice, error },
    });
  });
}

/** Serialises finalisations: clue creation must see every other run's new clues. */
const FINALIZE_LOCK = 724_312;

/**
 * When every job of a run has succeeded: attach its hits to clues (MODELS.md "Clues from
 * hits"), then hand the new clues to routing, and mark the run SUCCEEDED — one transaction.
 */
export async function finalizeRun(services: AppServices, runId: string): Promise<boolean> {
  return services.db.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [FINALIZE_LOCK]);
    const [run]: { status: string; open_jobs: number }[] = await m.query(
      `SELECT r.status, (SELECT count(*)::int FROM collision_run_job j WHERE j.run_id = r.id AND j.status <> 'SUCCEEDED') AS open_jobs
       FROM collision_run r WHERE r.id = $1 FOR UPDATE`,
      [runId],
    );
    if (!run || run.status !== 'RUNNING' || run.open_jobs > 0) return false;
    const cluesCreated = await attachHitsToClues(m, runId);
    await m.query(
      `UPDATE collision_run SET status = 'SUCCEEDED', finished_at = clock_timestamp(), clues_created = $2,
              hit_count = (SELECT count(*) FROM collision_hit WHERE last_run_id = $1)
       WHERE id = $1`,
      [runId, cluesCreated],
    );
    await appendAudit(m, {
      action: 'CollisionRun.SUCCEEDED',
      targetType: 'CollisionRun',
      targetId: toGlobalId('CollisionRun', runId),
      detail: { cluesCreated },
    });
    return true;
  });
}

/**
 * Hits of the run that have no clue join the open clue (NEW, ASSIGNED or VERIFYING) of their
 * model and subject institution, else a new DATA_COLLISION clue per (model, institution).
 * Clue amounts become the sum over their hits; persons of the evidence are added; joins are
 * recorded on the clues' timelines; new clues are queued for routing. Returns the number of
 * clues created. Set-based throughout.
 */
export async function attachHitsToClues(m: EntityManager, runId: string): Promise<number> {
  const joined: { clue_id: string; status: string; hits: number }[] = await m.query(
    `WITH open_clue AS (
       SELECT DISTINCT ON (model, institution_code) id, model, institution_code, status FROM clue
       WHERE model IS NOT NULL AND status IN ('NEW', 'ASSIGNED', 'VERIFYING')
       ORDER BY model, institution_code, created_at DESC, id),
     joined AS (
       UPDATE collision_hit h SET clue_id = o.id FROM open_clue o
       WHERE h.last_run_id = $1 AND h.clue_id IS NULL AND h.model = o.model AND h.institution_code = o.institution_code
       RETURNING h.clue_id, o.status)
     SELECT clue_id, status, count(*)::int AS hits FROM joined GROUP BY clue_id, status`,
    [runId],
  );
  const names = COLLISION_MODELS.map((model) => [model.code, model.name]);
  const created: { id: string; hits: number }[] = await m.query(
    `WITH names AS (SELECT * FROM unnest($2::text[], $3::text[]) AS n(code, name)),
     grouped AS (
       SELECT h.model, h.institution_code, i.region_code, i.name AS institution_name
       FROM collision_hit h JOIN institution i ON i.code = h.institution_code
       WHERE h.last_run_id = $1 AND h.clue_id IS NULL
       GROUP BY h.model, h.institution_code, i.region_code, i.name),
     created AS (
       INSERT INTO clue (code, title, description, source, status, model, institution_code, region_code)
       SELECT 'XS' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' || lpad(nextval('clue_code_seq')::text, 6, '0'),
              coalesce(n.name, g.model) || '：' || g.institution_name,
              '数据碰撞发现的疑点 (' || g.model || ')', 'DATA_COLLISION', 'NEW', g.model, g.institution_code, g.region_code
       FROM grouped g LEFT JOIN names n ON n.code = g.model
       ORDER BY g.model, g.institution_code
       RETURNING id, model, institution_code),
     attached AS (
       UPDATE collision_hit h SET clue_id = c.id FROM created c
       WHERE h.last_run_id = $1 AND h.clue_id IS NULL AND h.model = c.model AND h.institution_code = c.institution_code
       RETURNING h.clue_id)
     SELECT clue_id AS id, count(*)::int AS hits FROM attached GROUP BY clue_id`,
    [runId, names.map((n) => n[0]), names.map((n) => n[1])],
  );
  // Persons of the evidence, and each touched clue's amount = Σ its hits.
  await m.query(
    `INSERT INTO clue_person (clue_id, person_id, role)
     SELECT DISTINCT h.clue_id, p.person_id, 'EVIDENCE'
     FROM collision_hit h CROSS JOIN LATERAL unnest(h.person_ids) AS u(person_id)
     JOIN person p ON p.person_id = u.person_id
     WHERE h.last_run_id = $1 AND h.clue_id IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [runId],
  );
  await m.query(
    `UPDATE clue c SET amount_involved = s.total, updated_at = now()
     FROM (SELECT clue_id, sum(amount_involved) AS total FROM collision_hit
           WHERE clue_id IN (SELECT clue_id FROM collision_hit WHERE last_run_id = $1 AND clue_id IS NOT NULL)
           GROUP BY clue_id) s
     WHERE c.id = s.clue_id AND c.amount_involved IS DISTINCT FROM s.total`,
    [runId],
  );
  await m.query(
    `INSERT INTO state_change (entity_type, entity_id, from_state, to_state, event, detail)
     SELECT 'Clue', x.clue_id, x.status, x.status, 'HITS_ADDED', jsonb_build_object('runId', $1::text, 'hits', x.hits)
     FROM unnest($2::uuid[], $3::text[], $4::int[]) AS x(clue_id, status, hits)`,
    [runId, joined.map((j) => j.clue_id), joined.map((j) => j.status), joined.map((j) => j.hits)],
  );
  await m.query(
    `INSERT INTO state_change (entity_type, entity_id, from_state, to_state, event, detail)
     SELECT 'Clue', x.id, NULL, 'NEW', 'REGISTER', jsonb_build_object('runId', $1::text, 'hits', x.hits)
     FROM unnest($2::uuid[], $3::int[]) AS x(id, hits)`,
    [runId, created.map((c) => c.id), created.map((c) => c.hits)],
  );
  // Routing runs after every hit is attached, so it sees each new clue's final persons and amount.
  await m.query(
    `INSERT INTO outbox (topic, dedupe_key, payload)
     SELECT $1, 'route-clue:' || x.id, jsonb_build_object('clueId', x.id::text) FROM unnest($2::uuid[]) AS x(id)
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [OUTBOX_TOPICS.routeClue, created.map((c) => c.id)],
  );
  return created.length;
}

/** Hits per model of a run's jobs, for the CLI summary. */
export async function runHitsByModel(db: AppServices['db'], runId: string): Promise<Record<string, number>> {
  const rows: { model: string; hits: number }[] = await db.query(
    `SELECT model, coalesce(sum(hits), 0)::int AS hits FROM collision_run_job WHERE run_id = $1 GROUP BY model ORDER BY model`,
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.model, r.hits]));
}

/** Hits stored per model (each hit counted once, however many runs re-detected it); 0 for models without hits. */
export async function storedHitsByModel(db: AppServices['db']): Promise<Record<string, number>> {
  const rows: { model: string; hits: number }[] = await db.query(
    `SELECT model, count(*)::int AS hits FROM collision_hit GROUP BY model`,
  );
  return {
    ...Object.fromEntries(MODEL_CODES.map((code) => [code, 0])),
    ...Object.fromEntries(rows.map((r) => [r.model, r.hits])),
  };
}
