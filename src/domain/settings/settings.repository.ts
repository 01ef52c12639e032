/** The SQL of region settings (region_setting) and collision model parameters (model_parameter). */
import { DataSource, EntityManager } from 'typeorm';
import { Tables } from '../../db/tables';

type Db = DataSource | EntityManager;

/** Each setting's effective row for a region: the longest matching prefix wins ('' = default). */
export function effectiveSettingRows(
  db: Db,
  regionCode: string,
): Promise<Pick<Tables['region_setting'], 'key' | 'value' | 'region_prefix'>[]> {
  return db.query(
    `SELECT DISTINCT ON (key) key, value, region_prefix FROM region_setting
     WHERE starts_with($1, region_prefix)
     ORDER BY key, length(region_prefix) DESC`,
    [regionCode],
  );
}

/** The national default of a setting (its '' row), or null for an unknown key. */
export async function defaultSetting(db: Db, key: string): Promise<unknown> {
  const rows: { value: unknown }[] = await db.query(
    `SELECT value FROM region_setting WHERE region_prefix = '' AND key = $1`,
    [key],
  );
  return rows.length ? rows[0].value : null;
}

export async function upsertSetting(m: EntityManager, prefix: string, key: string, value: unknown): Promise<void> {
  await m.query(
    `INSERT INTO region_setting (region_prefix, key, value) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (region_prefix, key) DO UPDATE SET value = EXCLUDED.value`,
    [prefix, key, JSON.stringify(value)],
  );
}

export async function deleteSetting(m: EntityManager, prefix: string, key: string): Promise<void> {
  await m.query('DELETE FROM region_setting WHERE region_prefix = $1 AND key = $2', [prefix, key]);
}

/** The parameter rows of the prefixes of a region, least specific first. */
export function parameterRows(
  db: Db,
  regionCode: string,
  models: readonly string[],
): Promise<Pick<Tables['model_parameter'], 'model' | 'region_prefix' | 'params' | 'updated_at'>[]> {
  return db.query(
    `SELECT model, region_prefix, params, updated_at FROM model_parameter
     WHERE model = ANY($1) AND starts_with($2, region_prefix)
     ORDER BY model, length(region_prefix)`,
    [models, regionCode],
  );
}

/** Merges `params` into the override row of (model, prefix), creating it. */
export async function mergeParameters(
  m: EntityManager,
  model: string,
  prefix: string,
  params: Record<string, number>,
): Promise<void> {
  await m.query(
    `INSERT INTO model_parameter (model, region_prefix, params) VALUES ($1, $2, $3::jsonb)
     ON CONFLICT (model, region_prefix) DO UPDATE SET params = model_parameter.params || EXCLUDED.params, updated_at = now()`,
    [model, prefix, JSON.stringify(params)],
  );
}

export async function deleteParameters(m: EntityManager, model: string, prefix: string): Promise<void> {
  await m.query('DELETE FROM model_parameter WHERE model = $1 AND region_prefix = $2', [model, prefix]);
}
