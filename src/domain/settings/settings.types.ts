import { Field, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars';
import { CollisionModelEnum } from '../collision/collision.enums';
import { EffectiveParameters, EffectiveSetting } from './settings.service';

@ObjectType('RegionSetting', { description: 'A region setting (threshold, deadline) as it applies in a region.' })
export class RegionSettingType {
  @Field({ description: 'The region asked about.' })
  regionCode: string;

  @Field({ description: '设置项 (setting key)。' })
  key: string;

  @Field(() => JSONScalar, { description: 'An amount in yuan as a string ("30000.00") or a whole number.' })
  value: unknown;

  @Field({ description: 'The region prefix whose value applies ("" = the national default).' })
  sourcePrefix: string;

  @Field({ description: 'True when the region itself sets the value (not inherited).' })
  overridden: boolean;

  static from(s: EffectiveSetting, ownPrefix: string): RegionSettingType {
    return Object.assign(new RegionSettingType(), { ...s, overridden: s.sourcePrefix === ownPrefix });
  }
}

@ObjectType('ModelParameters', { description: 'The parameters a collision model uses over a region.' })
export class ModelParametersType {
  @Field({ description: '所查询的地区 (region asked about)。' })
  regionCode: string;

  @Field(() => CollisionModelEnum, { description: '碰撞模型 (collision model)。' })
  model: string;

  @Field(() => JSONScalar, { description: 'Defaults overlaid by every override of the region and above.' })
  params: Record<string, number>;

  @Field(() => JSONScalar, { nullable: true, description: 'The region’s own override, null when it has none.' })
  overrides: Record<string, number> | null;

  @Field(() => Date, {
    nullable: true,
    description: '本地区覆盖参数的最后修改时间 (when the region’s own override last changed)；无覆盖时为 null。',
  })
  updatedAt: Date | null;

  static from(p: EffectiveParameters): ModelParametersType {
    return Object.assign(new ModelParametersType(), p);
  }
}
