import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { JSONScalar } from '../../graphql/scalars';
import { codePrefix } from '../../core/regions';
import { CollisionModelEnum } from '../collision/collision.enums';
import {
  clearModelParameters,
  clearRegionSetting,
  modelParametersOf,
  regionSettingsOf,
  setModelParameters,
  setRegionSetting,
} from './settings.service';
import { ModelParametersType, RegionSettingType } from './settings.types';

/** Region settings and model parameters (ADMINs, for a region of their jurisdiction). */
@Resolver()
export class SettingsResolver {
  @Query(() => [RegionSettingType], { description: 'ADMIN: every region setting as it applies in a region.' })
  async regionSettings(
    @Arg('regionCode', { description: '地区代码 (region code)。' }) regionCode: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionSettingType[]> {
    const settings = await regionSettingsOf(ctx.services, requireActor(ctx), regionCode);
    return settings.map((s) => RegionSettingType.from(s, codePrefix(regionCode)));
  }

  @Mutation(() => RegionSettingType, { description: 'ADMIN: sets a region’s value of a setting (for it and below).' })
  async setRegionSetting(
    @Arg('regionCode', { description: '地区代码 (region code)：设置对本地区及下级生效。' }) regionCode: string,
    @Arg('key', { description: '设置项 (setting key)。' }) key: string,
    @Arg('value', () => JSONScalar, {
      validate: false,
      description: '设置值 (value)：金额为元的字符串（如 "30000.00"）或整数。',
    })
    value: unknown,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionSettingType> {
    const setting = await setRegionSetting(ctx.services, requireActor(ctx), regionCode, key, value);
    return RegionSettingType.from(setting, codePrefix(regionCode));
  }

  @Mutation(() => RegionSettingType, { description: 'ADMIN: removes a region’s value; the broader one applies again.' })
  async clearRegionSetting(
    @Arg('regionCode', { description: '地区代码 (region code)。' }) regionCode: string,
    @Arg('key', { description: '设置项 (setting key)。' }) key: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionSettingType> {
    const setting = await clearRegionSetting(ctx.services, requireActor(ctx), regionCode, key);
    return RegionSettingType.from(setting, codePrefix(regionCode));
  }

  @Query(() => [ModelParametersType], { description: 'ADMIN: the parameters of each model (or one) over a region.' })
  async modelParameters(
    @Arg('regionCode', { description: '地区代码 (region code)。' }) regionCode: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('model', () => CollisionModelEnum, { nullable: true, description: '碰撞模型 (model)；不给则返回全部模型。' })
    model?: string | null,
  ): Promise<ModelParametersType[]> {
    return (await modelParametersOf(ctx.services, requireActor(ctx), regionCode, model)).map(ModelParametersType.from);
  }

  @Mutation(() => ModelParametersType, {
    description: 'ADMIN: sets some parameters of a model for a region (merged into its override).',
  })
  async setModelParameters(
    @Arg('regionCode', { description: '地区代码 (region code)：参数对本地区及下级生效。' }) regionCode: string,
    @Arg('model', () => CollisionModelEnum, { description: '碰撞模型 (model)。' }) model: string,
    @Arg('params', () => JSONScalar, {
      validate: false,
      description: '参数 (parameters)：JSON 对象，只含该模型已有的参数名。',
    })
    params: unknown,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelParametersType> {
    return ModelParametersType.from(
      await setModelParameters(ctx.services, requireActor(ctx), regionCode, model, params),
    );
  }

  @Mutation(() => ModelParametersType, { description: 'ADMIN: removes a region’s override of a model’s parameters.' })
  async clearModelParameters(
    @Arg('regionCode', { description: '地区代码 (region code)。' }) regionCode: string,
    @Arg('model', () => CollisionModelEnum, { description: '碰撞模型 (model)。' }) model: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelParametersType> {
    return ModelParametersType.from(await clearModelParameters(ctx.services, requireActor(ctx), regionCode, model));
  }
}
