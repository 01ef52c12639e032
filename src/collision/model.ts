/**
 * What a collision model (数据碰撞模型) is: a code, a Chinese name, default parameters and one
 * set-based SELECT producing its hits (疑点). The runner wraps that SELECT into the upsert
 * into collision_hit, so a model never deals with keys' uniqueness, runs or regions' scoping
 * beyond optional early filters.
 */

import type { EntityManager } from 'typeorm';

/** Parameters of a model: plain numbers, stored as jsonb in model_parameter. */
export type ModelParams = Record<string, number>;

/**
 * How a model's work may be split into independent jobs whose hits never overlap:
 * `month` — by the calendar month of the anchor date (or of the aggregated facts' date);
 * `region` — by city prefix of the subject institution; false — one job per run.
 */
export type Sliceable = 'month' | 'region' | false;

/**
 * Placeholders a model's SQL may use. Each getter binds its value on first use and returns
 * `$n::type`, so a statement only declares the parameters it reads.
 */
export interface HitSqlContext<P extends ModelParams = ModelParams> {
  /** The run (collision_run.id): the rule classes read the rule versions it recorded. */
  readonly runId: string;
  /** Last day of the run's window: evidence dated after it is not known to the run. */
  readonly windowTo: string;
  /** Bounds of the anchor date (anchor settlement's date, or the aggregated facts' own date). */
  readonly anchorFrom: string;
  readonly anchorTo: string;
  /**
   * Days between the anchor bounds, inclusive (a value for choosing a plan shape, not bound):
   * a model may read differently for a nightly day than for a half year.
   */
  readonly anchorDays?: number;
  /** Jurisdiction prefix of the subject institution's region_code; '' = everywhere. */
  readonly regionPrefix: string;
  /** A model parameter, bound as numeric (never concatenated). */
  param(name: keyof P & string): string;
}

export interface CollisionModel<P extends ModelParams = ModelParams> {
  readonly code: string;
  /** 中文名称, as MODELS.md names it. */
  readonly name: string;
  readonly defaults: P;
  readonly sliceable: Sliceable;
  /**
   * One SELECT (CTEs allowed) with exactly these columns: hit_key text, amount_involved
   * numeric, institution_code (the subject), person_ids text[], settlement_ids text[],
   * detail jsonb. Keys must be unique within the result.
   */
  sql(q: HitSqlContext<P>): string;
  /**
   * Work in the job's transaction before the statement (INVENTORY_MISMATCH refreshes the drug
   * sales summary it reads). Optional.
   */
  prepare?(tx: EntityManager): Promise<unknown>;
  /**
   * Planner settings for the job's transaction (SET LOCAL name = value), where a plan chosen
   * from the statistics is known to be the slow one — for every window, or as a function of
   * the job's anchor days (a nightly day and a half year may need different plans). Optional.
   */
  readonly settings?:
    Readonly<Record<string, string>> | ((scope: { anchorDays: number }) => Readonly<Record<string, string>>);
}

/** Keeps the parameter names of `defaults` as the type `sql` sees. */
export function defineModel<P extends ModelParams>(model: CollisionModel<P>): CollisionModel<P> {
  return model;
}
