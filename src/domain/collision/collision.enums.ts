import { registerEnumType } from 'type-graphql';
import { ALL_MODELS } from '../../collision/registry';

/** The CollisionModel enum, read from the model registry (one file per model). */
export const CollisionModelEnum = Object.fromEntries(ALL_MODELS.map((m) => [m.code, m.code])) as Record<string, string>;
registerEnumType(CollisionModelEnum, {
  name: 'CollisionModel',
  description: '碰撞模型 (collision model)：数据碰撞的规则；RULE_* 为规则库各类规则（MODELS.md、RULES.md）。',
  valuesConfig: Object.fromEntries(ALL_MODELS.map((m) => [m.code, { description: m.name }])),
});

export const COLLISION_MODEL_LABELS: Record<string, string> = Object.fromEntries(
  ALL_MODELS.map((m) => [m.code, m.name]),
);
