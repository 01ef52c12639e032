/**
 * Region settings (thresholds, deadlines: region_setting) and collision model parameters
 * (model_parameter) through the API (README "Region settings and model parameters"). Both are
 * overrides by region prefix — the most specific prefix wins — managed by ADMINs for a region of
 * their jurisdiction: an override set at a region applies to it and everything below it. The
 * national defaults ('' rows) stay in migrations.
 */
import { AppServices } from '../../app';
import { AppError, badInput } from '../../core/errors';
import { codePrefix } from '../../core/regions';
import { inTransaction } from '../../db/transaction';
import { getModel, ALL_MODEL_CODES } from '../../collision/registry';
import { Actor, assertCanManageSettings } from '../../policy';
import { findRegion } from '../reference/reference.repository';
import * as repo from './settings.repository';

export interface EffectiveSetting {
  regionCode: string;
  key: string;
  value: unknown;
  /** The prefix whose row supplied the value ('' = the national default). */
  sourcePrefix: string;
}

export interface EffectiveParameters {
  regionCode: string;
  model: string;
  /** The model's defaults overlaid by every override of the region's prefixes. */
  params: Record<string, number>;
  /** This region's own override row, or null. */
  overrides: Record<string, number> | null;
  updatedAt: Date | null;
}

/** A known region inside the actor's jurisdiction, and its prefix. */
async function managedRegion(services: AppServices, actor: Actor, regionCode: string): Promise<string> {
  const prefix = codePrefix(regionCode);
  if (!/^\d{6}$/.test(regionCode)) throw badInput(`invalid region code "${regionCode}"`);
  assertCanManageSettings(actor, regionCode);
  if (!(await findRegion(services.db, regionCode))) throw badInput(`unknown region ${regionCode}`);
  return prefix;
}

export async function regionSettingsOf(
  services: AppServices,
  actor: Actor,
  regionCode: string,
): Promise<EffectiveSetting[]> {
  await managedRegion(services, actor, regionCode);
  const rows = await repo.effectiveSettingRows(services.db, regionCode);
  return rows.map((r) => ({ regionCode, key: r.key, value: r.value, sourcePrefix: r.region_prefix }));
}

/** A value of the type of the key's default: a money string ("30000.00") or a non-negative integer. */
function checkedValue(key: string, fallback: unknown, value: unknown): unknown {
  if (fallback === null) throw badInput(`unknown setting "${key}"`);
  if (typeof fallback === 'string') {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !/^\d{1,13}(\.\d{1,2})?$/.test(text)) {
      throw badInput(`${key} is an amount in yuan, e.g. "30000.00"`);
    }
    const [whole, cents = ''] = text.split('.');
    return `${whole}.${cents.padEnd(2, '0')}`;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100000) {
    throw badInput(`${key} is a non-negative whole number`);
  }
  return value;
}

/** Sets the region's own value of a setting (it applies to the region and below). */
export async function setRegionSetting(
  services: AppServices,
  actor: Actor,
  regionCode: string,
  key: string,
  value: unknown,
): Promise<EffectiveSetting> {
  const prefix = await managedRegion(services, actor, regionCode);
  const checked = checkedValue(key, await repo.defaultSetting(services.db, key), value);
  return inTransaction(services.db, async (m) => {
    await repo.upsertSetting(m, prefix, key, checked);
    return { regionCode, key, value: checked, sourcePrefix: prefix };
  });
}

/** Removes the region's own value of a setting; the next broader one applies again. */
export async function clearRegionSetting(
  services: AppServices,
  actor: Actor,
  regionCode: string,
  key: string,
): Promise<EffectiveSetting> {
  const prefix = await managedRegion(services, actor, regionCode);
  if ((await repo.defaultSetting(services.db, key)) === null) throw badInput(`unknown setting "${key}"`);
  return inTransaction(services.db, async (m) => {
    await repo.deleteSetting(m, prefix, key);
    const row = (await repo.effectiveSettingRows(m, regionCode)).find((r) => r.key === key)!;
    return { regionCode, key, value: row.value, sourcePrefix: row.region_prefix };
  });
}

function checkModel(model: string): void {
  if (!ALL_MODEL_CODES.includes(model)) throw badInput(`unknown model ${model}`);
}

async function effective(
  db: Parameters<typeof repo.parameterRows>[0],
  regionCode: string,
  models: readonly string[],
): Promise<EffectiveParameters[]> {
  const prefix = codePrefix(regionCode);
  const rows = await repo.parameterRows(db, regionCode, models);
  return models.map((model) => {
    const params: Record<string, number> = { ...getModel(model).defaults };
    let own: (typeof rows)[number] | undefined;
    for (const row of rows.filter((r) => r.model === model)) {
      for (const [k, v] of Object.entries(row.params as Record<string, unknown>)) {
        if (k in params && typeof v === 'number') params[k] = v;
      }
      if (row.region_prefix === prefix) own = row;
    }
    return {
      regionCode,
      model,
      params,
      overrides: own ? (own.params as Record<string, number>) : null,
      updatedAt: own?.updated_at ?? null,
    };
  });
}

/** The parameters each model (or one) uses over a region. */
export async function modelParametersOf(
  services: AppServices,
  actor: Actor,
  regionCode: string,
  model?: string | null,
): Promise<EffectiveParameters[]> {
  await managedRegion(services, actor, regionCode);
  if (model) checkModel(model);
  return effective(services.db, regionCode, model ? [model] : ALL_MODEL_CODES);
}

/**
 * Sets some parameters of a model for a region (merged into its override; other keys kept).
 * Only keys the model declares, each a finite number.
 */
export async function setModelParameters(
  services: AppServices,
  actor: Actor,
  regionCode: string,
  model: string,
  params: unknown,
): Promise<EffectiveParameters> {
  const prefix = await managedRegion(services, actor, regionCode);
  checkModel(model);
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw badInput('params must be an object');
  const defaults = getModel(model).defaults;
  const entries = Object.entries(params as Record<string, unknown>);
  if (!entries.length) throw badInput('params must name at least one parameter');
  for (const [k, v] of entries) {
    if (!(k in defaults)) {
      throw badInput(`${model} has no parameter "${k}" (it has: ${Object.keys(defaults).join(', ') || 'none'})`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`${model}.${k} must be a number`);
  }
  return inTransaction(services.db, async (m) => {
    await repo.mergeParameters(m, model, prefix, params as Record<string, number>);
    return (await effective(m, regionCode, [model]))[0];
  });
}

/** Removes a region's override of a model's parameters. */
export async function clearModelParameters(
  services: AppServices,
  actor: Actor,
  regionCode: string,
  model: string,
): Promise<EffectiveParameters> {
  const prefix = await managedRegion(services, actor, regionCode);
  checkModel(model);
  if (prefix === '') throw new AppError('CONFLICT', 'the national defaults are not removed');
  return inTransaction(services.db, async (m) => {
    await repo.deleteParameters(m, model, prefix);
    return (await effective(m, regionCode, [model]))[0];
  });
}
