/**
 * 分办规则 as data: each routing_rule row holds a condition (JSON) and a target agency;
 * rules are evaluated in position order and the first that holds places the clue.
 *
 * Condition grammar:
 *   {"always": true}
 *   {"any": [c, …]} · {"all": [c, …]}
 *   {"publicOfficialInvolved": true}        a person of the clue (subject or evidence) is a 公职人员
 *   {"models": ["M", …], "minPersons": n}   the clue's model is listed (and it has ≥ n persons)
 *   {"amountAtLeast": "30000.00"}            amount involved ≥ a fixed sum
 *   {"amountAtLeastSetting": "criminalThreshold"}  ≥ a per-region setting (region_setting)
 */
import { Tables } from '../../db/tables';
import { DepartmentKind } from '../reference/department.entity';
import { RegionSettings } from '../reference/region-settings';

export type RoutingCondition =
  | { always: true }
  | { any: RoutingCondition[] }
  | { all: RoutingCondition[] }
  | { publicOfficialInvolved: boolean }
  | { models: string[]; minPersons?: number }
  | { amountAtLeast: string }
  | { amountAtLeastSetting: keyof RegionSettings };

export type RoutingRuleRow = Omit<Tables['routing_rule'], 'condition' | 'target_kind'> & {
  condition: RoutingCondition;
  target_kind: DepartmentKind;
};

export interface RoutingFacts {
  model: string | null;
  amountInvolved: string;
  personCount: number;
  publicOfficialInvolved: boolean;
  settings: RegionSettings;
}

/** Exact comparison of decimal strings, in fen. */
export function toFen(amount: string): bigint {
  const [whole, fraction = ''] = amount.trim().split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole.replace('-', '') || '0') * 100n + BigInt((fraction + '00').slice(0, 2)));
}

export function holds(condition: RoutingCondition, facts: RoutingFacts): boolean {
  if ('always' in condition) return condition.always;
  if ('any' in condition) return condition.any.some((c) => holds(c, facts));
  if ('all' in condition) return condition.all.every((c) => holds(c, facts));
  if ('publicOfficialInvolved' in condition) return facts.publicOfficialInvolved === condition.publicOfficialInvolved;
  if ('models' in condition) {
    return (
      facts.model !== null && condition.models.includes(facts.model) && facts.personCount >= (condition.minPersons ?? 0)
    );
  }
  if ('amountAtLeast' in condition) return toFen(facts.amountInvolved) >= toFen(condition.amountAtLeast);
  if ('amountAtLeastSetting' in condition) {
    return toFen(facts.amountInvolved) >= toFen(String(facts.settings[condition.amountAtLeastSetting]));
  }
  throw new Error(`unknown routing condition ${JSON.stringify(condition)}`);
}

/** Checks a condition's shape before it is stored (admins edit rules). */
export function validateCondition(condition: unknown): string | null {
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return 'a condition is a JSON object';
  const c = condition as Record<string, unknown>;
  const keys = Object.keys(c);
  if (keys.includes('any') || keys.includes('all')) {
    const list = c.any ?? c.all;
    if (!Array.isArray(list) || list.length === 0) return '"any"/"all" need a non-empty list';
    for (const item of list) {
      const problem = validateCondition(item);
      if (problem) return problem;
    }
    return null;
  }
  if (keys.includes('always')) return c.always === true ? null : '"always" must be true';
  if (keys.includes('publicOfficialInvolved'))
    return typeof c.publicOfficialInvolved === 'boolean' ? null : '"publicOfficialInvolved" is a boolean';
  if (keys.includes('models')) {
    if (!Array.isArray(c.models) || !c.models.every((m) => typeof m === 'string'))
      return '"models" is a list of model codes';
    if (c.minPersons !== undefined && (!Number.isInteger(c.minPersons) || (c.minPersons as number) < 0))
      return '"minPersons" is a whole number';
    return null;
  }
  if (keys.includes('amountAtLeast'))
    return /^\d+(\.\d{1,2})?$/.test(String(c.amountAtLeast)) ? null : '"amountAtLeast" is a decimal string';
  if (keys.includes('amountAtLeastSetting')) {
    return ['criminalThreshold', 'escalationThreshold', 'disciplineCopyThreshold'].includes(
      String(c.amountAtLeastSetting),
    )
      ? null
      : '"amountAtLeastSetting" names a threshold setting';
  }
  return `unknown condition keys ${keys.join(', ')}`;
}
