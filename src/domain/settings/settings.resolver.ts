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
    @Arg('regionCode') regionCode: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionSettingType[]> {
    const settings = await regionSettingsOf(ctx.services, requireActor(ctx), regionCode);
    return settings.map((s) => RegionSettingType.from(s, codePrefix(regionCode)));
  }

  @Mutation(() => RegionSettingType, { description: 'ADMIN: sets a region’s value of a setting (for it and below).' })
  async setRegionSetting(
    @Arg('regionCode') regionCode: string,
    @Arg('key') key: string,
    @Arg('value', () => JSONScalar, { validate: false }) value: unknown,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionSettingType> {
    const setting = await setRegionSetting(ctx.services, requireActor(ctx), regionCode, key, value);
    return RegionSettingType.from(setting, codePrefix(regionCode));
  }

  @Mutation(() => RegionSettingType, { description: 'ADMIN: removes a region’s value; the broader one applies again.' })
  async clearRegionSetting(
    @Arg('regionCode') regionCode: string,
    @Arg('key') key: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RegionSettingType> {
    const setting = await clearRegionSetting(ctx.services, requireActor(ctx), regionCode, key);
    return RegionSettingType.from(setting, codePrefix(regionCode));
  }

  @Query(() => [ModelParametersType], { description: 'ADMIN: the parameters of each model (or one) over a region.' })
  async modelParameters(
    @Arg('regionCode') regionCode: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('model', () => CollisionModelEnum, { nullable: true }) model?: string | null,
  ): Promise<ModelParametersType[]> {
    return (await modelParametersOf(ctx.services, requireActor(ctx), regionCode, model)).map(ModelParametersType.from);
  }

  @Mutation(() => ModelParametersType, {
    description: 'ADMIN: sets some parameters of a model for a region (merged into its override).',
  })
  async setModelParameters(
    @Arg('regionCode') regionCode: string,
    @Arg('model', () => CollisionModelEnum) model: string,
    @Arg('params', () => JSONScalar, { validate: false }) params: unknown,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelParametersType> {
    return ModelParametersType.from(
      await setModelParameters(ctx.services, requireActor(ctx), regionCode, model, params),
    );
  }

  @Mutation(() => ModelParametersType, { description: 'ADMIN: removes a region’s override of a model’s parameters.' })
  async clearModelParameters(
    @Arg('regionCode') regionCode: string,
    @Arg('model', () => CollisionModelEnum) model: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ModelParametersType> {
    return ModelParametersType.from(await clearModelParameters(ctx.services, requireActor(ctx), regionCode, model));
  }
}
