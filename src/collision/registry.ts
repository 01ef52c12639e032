import { CollisionModel } from './model';
import { bedHanging } from './models/bed-hanging';
import { bundledItemCharge } from './models/bundled-item-charge';
import { dailyQuantityExcess } from './models/daily-quantity-excess';
import { deathAfter } from './models/death-after';
import { excessDispensing } from './models/excess-dispensing';
import { groupAdmission } from './models/group-admission';
import { insiderPayee } from './models/insider-payee';
import { inventoryMismatch } from './models/inventory-mismatch';
import { lowStandardAdmission } from './models/low-standard-admission';
import { overPrice } from './models/over-price';
import { overlappingInpatient } from './models/overlapping-inpatient';
import { peerOutlier } from './models/peer-outlier';
import { prescriptionSplitting } from './models/prescription-splitting';
import { RULE_CLASS_MODELS } from './models/rule-classes';
import { repeatExamInStay } from './models/repeat-exam-in-stay';
import { splitAdmission } from './models/split-admission';
import { traceCodeReuse } from './models/trace-code-reuse';

/** Every collision model, in MODELS.md order. Adding a model = one file + one line here. */
export const COLLISION_MODELS: readonly CollisionModel<any>[] = [
  deathAfter,
  overlappingInpatient,
  bedHanging,
  splitAdmission,
  repeatExamInStay,
  dailyQuantityExcess,
  overPrice,
  traceCodeReuse,
  excessDispensing,
  lowStandardAdmission,
  peerOutlier,
  prescriptionSplitting,
  groupAdmission,
  inventoryMismatch,
  insiderPayee,
  bundledItemCharge,
];

/** The 16 models and the 7 rule classes (RULES.md: each class is an entry of the registry). */
export const ALL_MODELS: readonly CollisionModel<any>[] = [...COLLISION_MODELS, ...RULE_CLASS_MODELS];

const BY_CODE = new Map(ALL_MODELS.map((m) => [m.code, m]));

/** The 16 code models (MODELS.md). */
export const MODEL_CODES: readonly string[] = COLLISION_MODELS.map((m) => m.code);
/** The 7 rule classes (RULE_SEX … RULE_FREQUENCY). */
export const RULE_MODEL_CODES: readonly string[] = RULE_CLASS_MODELS.map((m) => m.code);
/** What a run without explicit models runs: the models and the rule classes. */
export const ALL_MODEL_CODES: readonly string[] = ALL_MODELS.map((m) => m.code);

export class UnknownModelError extends Error {
  constructor(readonly code: string) {
    super(`unknown collision model "${code}"`);
  }
}

export function getModel(code: string): CollisionModel {
  const model = BY_CODE.get(code);
  if (!model) throw new UnknownModelError(code);
  return model;
}
