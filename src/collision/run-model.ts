import { DataSource, EntityManager } from 'typeorm';
import { codePrefix } from '../core/regions';
import { SqlParams } from '../core/sql';
import { markJobSucceeded } from '../domain/collision/collision.repository';
import { CollisionModel, HitSqlContext, ModelParams } from './model';
import { RegionalParameters } from './parameters';
import { getModel } from './registry';

export interface RunModelInput {
  runId: string;
  model: string;
  /** Window, inclusive dates (YYYY-MM-DD, civil dates in TIME_ZONE). */
  from: string;
  to: string;
  /** Jurisdiction of the subject institutions (a region code); null = everywhere. */
  regionCode?: string | null;
  /** Only hits whose subject institution is one of these (回头看 of one institution); null = all. */
  institutionCodes?: readonly string[] | null;
  /** Effective parameters of this model for the run (effectiveParameters). */
  params: ModelParams;
  /** One slice of the model's work (planSlices); '' or absent = all of it. */
  slice?: string | null;
  /**
   * Overrides for subject institutions under more specific prefixes (regionalParameters): the
   * model runs once per parameter set, each statement keeping the hits whose subject lies in
   * its prefix and outside the more specific ones.
   */
  regional?: readonly RegionalParameters[] | null;
}

/** One statement's share of the subjects: under `prefix`, outside `exclude`, with `params`. */
interface SubjectGroup {
  prefix: string | null;
  exclude: string[];
  params: ModelParams;
}

export interface RunModelResult {
  inserted: number;
  updated: number;
  hits: number;
}

export class InvalidRunInputError extends Error {}

/** Memory per sort or hash node of a collision statement (SET LOCAL: this transaction only). */
const COLLISION_WORK_MEM = '128MB';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
/** A run of consecutive months, as one slice: `YYYY-MM..YYYY-MM` (planJobs). */
const MONTH_RANGE = /^(\d{4}-(?:0[1-9]|1[0-2]))\.\.(\d{4}-(?:0[1-9]|1[0-2]))$/;

function lastDayOfMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  const day = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${month}-${String(day).padStart(2, '0')}`;
}

/** Anchor dates and jurisdiction prefix of one job: the window and region narrowed by the slice. */
function resolveScope(model: CollisionModel, input: Pick<RunModelInput, 'from' | 'to' | 'regionCode' | 'slice'>) {
  if (!DATE.test(input.from) || !DATE.test(input.to) || input.from > input.to) {
    throw new InvalidRunInputError(`invalid window ${input.from}..${input.to}`);
  }
  const regionPrefix = codePrefix(input.regionCode);
  const slice = input.slice ?? '';
  if (!slice) return { anchorFrom: input.from, anchorTo: input.to, regionPrefix };
  if (model.sliceable === 'month') {
    const range = MONTH_RANGE.exec(slice);
    const [first, last] = range && range[1] <= range[2] ? [range[1], range[2]] : [slice, slice];
    if (!MONTH.test(first)) throw new InvalidRunInputError(`slice "${slice}" of ${model.code} is not a month`);
    const anchorFrom = input.from > `${first}-01` ? input.from : `${first}-01`;
    const anchorTo = input.to < lastDayOfMonth(last) ? input.to : lastDayOfMonth(last);
    if (anchorFrom > anchorTo) throw new InvalidRunInputError(`month ${slice} is outside ${input.from}..${input.to}`);
    return { anchorFrom, anchorTo, regionPrefix };
  }
  if (model.sliceable === 'region') {
    const slicePrefix = codePrefix(slice);
    if (slicePrefix.startsWith(regionPrefix))
      return { anchorFrom: input.from, anchorTo: input.to, regionPrefix: slicePrefix };
    if (regionPrefix.startsWith(slicePrefix)) return { anchorFrom: input.from, anchorTo: input.to, regionPrefix };
    throw new InvalidRunInputError(`slice ${slice} is outside region ${input.regionCode}`);
  }
  throw new InvalidRunInputError(`${model.code} cannot be sliced`);
}

/** Days between a scope's anchor bounds, inclusive. */
const daysOf = (scope: { anchorFrom: string; anchorTo: string }): number =>
  Math.round((Date.parse(scope.anchorTo) - Date.parse(scope.anchorFrom)) / 86_400_000) + 1;

/** A model's planner settings for one job. */
function settingsOf(model: CollisionModel, input: Pick<RunModelInput, 'from' | 'to' | 'regionCode' | 'slice'>) {
  const settings = model.settings ?? {};
  return typeof settings === 'function' ? settings({ anchorDays: daysOf(resolveScope(model, input)) }) : settings;
}

/**
 * The one statement that computes a model's hits for a window (or one slice of it) and
 * upserts them into collision_hit, returning one row {inserted, updated}. Exposed so that
 * benchmarks can run the bare SQL (e.g. through psql with the values bound).
 *
 * A hit found again keeps its id, first_run_id and created_at; its evidence, amount and
 * subject are refreshed, last_run_id always moves to this run, updated_at only when
 * something changed. The subject is re-derived too, because later evidence can change it
 * (TRACE_CODE_REUSE: the institution of the latest settlement).
 */
export function collisionSql(
  modelCode: string,
  input: Omit<RunModelInput, 'model' | 'regional'>,
  group?: SubjectGroup,
): { text: string; values: unknown[] } {
  const model = getModel(modelCode);
  const resolved = resolveScope(model, input);
  // A subject group narrows the prefix (its early filters stay exact: a superset of the subjects).
  const scope =
    group?.prefix && group.prefix.startsWith(resolved.regionPrefix)
      ? { ...resolved, regionPrefix: group.prefix }
      : resolved;
  const exclude = group?.exclude ?? [];
  const params = new SqlParams();
  const ctx: HitSqlContext = {
    get runId() {
      return params.named('runId', 'uuid', () => input.runId);
    },
    get windowTo() {
      return params.named('windowTo', 'date', () => input.to);
    },
    get anchorFrom() {
      return params.named('anchorFrom', 'date', () => scope.anchorFrom);
    },
    get anchorTo() {
      return params.named('anchorTo', 'date', () => scope.anchorTo);
    },
    get regionPrefix() {
      return params.named('regionPrefix', 'text', () => scope.regionPrefix);
    },
    anchorDays: daysOf(scope),
    param(name: string) {
      return params.named(`param:${name}`, 'numeric', () => {
        const value = input.params[name] ?? model.defaults[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new InvalidRunInputError(`${model.code}: parameter ${name} must be a number`);
        }
        return String(value);
      });
    },
  };
  const hits = model.sql(ctx);
  const runId = params.named('runId', 'uuid', () => input.runId);
  const code = params.named('model', 'text', () => model.code);
  const institutions = input.institutionCodes
    ? ` AND h.institution_code = ANY(${params.named('institutionCodes', 'text[]', () => input.institutionCodes)})`
    : '';
  const text = `
    WITH hit AS (${hits}
    ),
    scoped AS (
      SELECT h.*, i.region_code
      FROM hit h
      JOIN institution i ON i.code = h.institution_code
      WHERE starts_with(i.region_code, ${ctx.regionPrefix})${
        exclude.length
          ? `
        AND NOT (i.region_code LIKE ANY (${params.add(
          exclude.map((e) => `${e}%`),
          'text[]',
        )}))`
          : ''
      }${institutions}
    ),
    upserted AS (
      INSERT INTO collision_hit AS c (model, hit_key, amount_involved, institution_code, region_code, person_ids,
                                      settlement_ids, detail, first_run_id, last_run_id)
      SELECT ${code}, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids, detail,
             ${runId}, ${runId}
      FROM scoped
      ON CONFLICT (model, hit_key) DO UPDATE SET
        amount_involved = EXCLUDED.amount_involved,
        institution_code = EXCLUDED.institution_code,
        region_code = EXCLUDED.region_code,
        person_ids = EXCLUDED.person_ids,
        settlement_ids = EXCLUDED.settlement_ids,
        detail = EXCLUDED.detail,
        last_run_id = EXCLUDED.last_run_id,
        updated_at = CASE
          WHEN (c.amount_involved, c.institution_code, c.person_ids, c.settlement_ids, c.detail)
               IS DISTINCT FROM (EXCLUDED.amount_involved, EXCLUDED.institution_code, EXCLUDED.person_ids,
                                 EXCLUDED.settlement_ids, EXCLUDED.detail)
          THEN now() ELSE c.updated_at END
      RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated
    FROM upserted`;
  return { text, values: params.values };
}

/**
 * Runs one model (or one slice of it) in one transaction. When the run has a
 * collision_run_job row for (run, model, slice), it is marked SUCCEEDED in the same
 * transaction, so a job retried after a crash either sees its work committed or redoes it
 * whole; the upsert makes redoing it harmless anyway.
 */
/**
 * The statements of a job: the run's own parameters for the subjects outside every override,
 * then one per override prefix inside the job's scope (outside the more specific ones).
 */
function subjectGroups(input: RunModelInput): SubjectGroup[] {
  const model = getModel(input.model);
  const scopePrefix = resolveScope(model, input).regionPrefix;
  const overrides = (input.regional ?? []).filter(
    (r) => r.prefix.startsWith(scopePrefix) || scopePrefix.startsWith(r.prefix),
  );
  // An override at or above the job's own prefix applies to all of it.
  const covering = overrides
    .filter((r) => scopePrefix.startsWith(r.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
  const inside = overrides.filter((r) => r.prefix.length > scopePrefix.length && r.prefix.startsWith(scopePrefix));
  const below = (prefix: string) =>
    inside.filter((r) => r.prefix !== prefix && r.prefix.startsWith(prefix)).map((r) => r.prefix);
  return [
    { prefix: null, exclude: below(scopePrefix), params: covering?.params ?? input.params },
    ...inside.map((r) => ({ prefix: r.prefix, exclude: below(r.prefix), params: r.params })),
  ];
}

export async function runModel(db: DataSource | EntityManager, input: RunModelInput): Promise<RunModelResult> {
  const statements = subjectGroups(input).map((group) =>
    collisionSql(input.model, { ...input, params: group.params }, group),
  );
  const work = async (tx: EntityManager): Promise<RunModelResult> => {
    const started = Date.now();
    // The models' hash aggregates over a window's lines spill to disk at the default 4 MB;
    // JIT compilation cost about a second per statement on 3M lines and saved nothing.
    await tx.query(`SET LOCAL work_mem = '${COLLISION_WORK_MEM}'`);
    await tx.query('SET LOCAL jit = off');
    const model = getModel(input.model);
    for (const [name, value] of Object.entries(settingsOf(model, input))) {
      if (!/^[a-z_]+$/.test(name) || !/^[\w.]+$/.test(value)) throw new Error(`bad setting ${name}=${value}`);
      await tx.query(`SET LOCAL ${name} = '${value}'`);
    }
    await model.prepare?.(tx);
    const result = { inserted: 0, updated: 0, hits: 0 };
    for (const { text, values } of statements) {
      const [row]: { inserted: number; updated: number }[] = await tx.query(text, values);
      result.inserted += row.inserted;
      result.updated += row.updated;
      result.hits += row.inserted + row.updated;
    }
    await markJobSucceeded(
      tx,
      { runId: input.runId, model: input.model, slice: input.slice ?? '' },
      { ...result, durationMs: Date.now() - started },
    );
    return result;
  };
  return db.transaction(work);
}

/**
 * Rows (settlements and their lines) one job may read before its model is split. A job costs a transaction, its
 * bookkeeping and an upsert, and a model split by month reads its shared evidence once per
 * month (DEATH_AFTER took 363 ms in six month jobs, 7 ms as one statement), so a window is
 * one job per model until its rows exceed this; beyond it, runs of consecutive months (or
 * the cities, for the models sliced by region) of about this many lines each.
 */
export const ROWS_PER_JOB = 30_000_000;

/** Estimated rows (settlements and their lines) per month of the window: the month partitions' statistics (ingest analyzes them). */
export async function windowLines(
  db: Pick<DataSource | EntityManager, 'query'>,
  window: { from: string; to: string },
): Promise<{ month: string; lines: number }[]> {
  const rows: { month: string; lines: number }[] = await db.query(
    `SELECT to_char(m, 'YYYY-MM') AS month,
            coalesce((SELECT sum(CASE WHEN c.reltuples >= 0 THEN c.reltuples ELSE pg_relation_size(c.oid) / 100 END)
                      FROM pg_class c
                      WHERE c.oid IN (to_regclass('settlement_' || to_char(m, 'YYYYMM')),
                                      to_regclass('settlement_item_' || to_char(m, 'YYYYMM')))), 0)::float8 AS lines
     FROM generate_series(date_trunc('month', $1::date), $2::date, interval '1 month') AS m
     ORDER BY m`,
    [window.from, window.to],
  );
  return rows;
}

/**
 * The jobs of a model in a run, sized by the rows they read rather than by the calendar: one
 * job ('') while the window's rows fit `rowsPerJob`; else runs of consecutive months
 * (`YYYY-MM` or `YYYY-MM..YYYY-MM`) of at most about `rowsPerJob` rows, or the model's
 * city slices (planSlices) for the models sliced by region. Their hits never overlap.
 */
export async function planJobs(
  db: Pick<DataSource | EntityManager, 'query'>,
  modelCode: string,
  window: { from: string; to: string; regionCode?: string | null },
  lines: { month: string; lines: number }[],
  rowsPerJob = ROWS_PER_JOB,
): Promise<string[]> {
  const model = getModel(modelCode);
  resolveScope(model, window);
  const total = lines.reduce((n, m) => n + m.lines, 0);
  if (!model.sliceable || total <= rowsPerJob) return [''];
  if (model.sliceable === 'region') return planSlices(db, modelCode, window);
  const slices: string[] = [];
  let first: string | null = null;
  let last = '';
  let sum = 0;
  for (const { month, lines: n } of lines) {
    if (first && sum + n > rowsPerJob) {
      slices.push(first === last ? first : `${first}..${last}`);
      first = null;
      sum = 0;
    }
    first ??= month;
    last = month;
    sum += n;
  }
  if (first) slices.push(first === last ? first : `${first}..${last}`);
  return slices;
}

/**
 * The slice keys a run may split a model into (one job each; their hits never overlap):
 * the months of the window, the city prefixes with institutions in the region, or [''].
 */
export async function planSlices(
  db: Pick<DataSource | EntityManager, 'query'>,
  modelCode: string,
  window: { from: string; to: string; regionCode?: string | null },
): Promise<string[]> {
  const model = getModel(modelCode);
  resolveScope(model, window);
  if (model.sliceable === 'month') {
    const months: string[] = [];
    for (let month = window.from.slice(0, 7); month <= window.to.slice(0, 7);) {
      months.push(month);
      const [y, m] = month.split('-').map(Number);
      month = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    }
    return months;
  }
  const prefix = codePrefix(window.regionCode);
  if (model.sliceable === 'region' && prefix.length < 4) {
    const rows: { city: string }[] = await db.query(
      `SELECT DISTINCT left(region_code, 4) || '00' AS city FROM institution
       WHERE starts_with(region_code, $1) ORDER BY 1`,
      [prefix],
    );
    return rows.map((r) => r.city);
  }
  return [''];
}
