import { DataSource, EntityManager } from 'typeorm';
import { codePrefix } from '../core/regions';
import { ModelParams } from './model';
import { getModel } from './registry';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export class InvalidModelParameterError extends Error {}

/**
 * The parameters a run over `regionCode` uses for each model: the code's defaults, overlaid
 * by the model_parameter rows whose region_prefix is a prefix of the region, from the least
 * to the most specific ('' first), key by key. These are the parameters of the run's own region
 * ('' rows only for a run without one); the more specific overrides inside the run's region
 * are regionalParameters' (each hit uses its subject institution's region). Only keys the model declares are taken, and each must be a finite number.
 */
export async function effectiveParameters(
  db: Queryable,
  models: readonly string[],
  regionCode?: string | null,
): Promise<Record<string, ModelParams>> {
  const region = regionCode ?? '';
  codePrefix(region);
  const rows: { model: string; region_prefix: string; params: Record<string, unknown> }[] = await db.query(
    `SELECT model, region_prefix, params FROM model_parameter
     WHERE model = ANY($1) AND starts_with($2, region_prefix)
     ORDER BY model, length(region_prefix)`,
    [models, region],
  );
  const result: Record<string, ModelParams> = {};
  for (const code of models) result[code] = { ...getModel(code).defaults };
  for (const row of rows) {
    const defaults = getModel(row.model).defaults;
    for (const [key, value] of Object.entries(row.params)) {
      if (!(key in defaults)) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidModelParameterError(
          `model_parameter ${row.model}/${row.region_prefix || '(default)'}: ${key} must be a number`,
        );
      }
      result[row.model][key] = value;
    }
  }
  return result;
}

/** The parameters of the subject institutions under `prefix` (a jurisdiction prefix more specific than the run's). */
export interface RegionalParameters {
  prefix: string;
  params: ModelParams;
}

/**
 * The overrides a run over `regionCode` must honour besides its own parameters (MODELS.md:
 * "the most specific prefix wins", for every hit by its subject institution's region): for
 * each model, each model_parameter prefix inside the run's region and more specific than it,
 * with the parameters effective there. Models without such rows are absent.
 */
export async function regionalParameters(
  db: Queryable,
  models: readonly string[],
  regionCode?: string | null,
): Promise<Record<string, RegionalParameters[]>> {
  const runPrefix = codePrefix(regionCode ?? '');
  const rows: { model: string; region_prefix: string }[] = await db.query(
    `SELECT DISTINCT model, region_prefix FROM model_parameter
     WHERE model = ANY($1) AND length(region_prefix) > length($2) AND starts_with(region_prefix, $2)
     ORDER BY model, region_prefix`,
    [models, runPrefix],
  );
  const result: Record<string, RegionalParameters[]> = {};
  for (const row of rows) {
    const params = (await effectiveParameters(db, [row.model], row.region_prefix))[row.model];
    (result[row.model] ??= []).push({ prefix: row.region_prefix, params });
  }
  return result;
}
