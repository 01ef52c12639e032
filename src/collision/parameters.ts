import { DataSource, EntityManager } from 'typeorm';
import { codePrefix } from '../core/regions';
import { ModelParams } from './model';
import { getModel } from './registry';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export class InvalidModelParameterError extends Error {}

/**
 * The parameters a run over `regionCode` uses for each model: the code's defaults, overlaid
 * by the model_parameter rows whose region_prefix is a prefix of the region, from the least
 * to the most specific ('' first), key by key. A run without a region sees only the ''
 * rows. Only keys the model declares are taken, and each must be a finite number.
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
