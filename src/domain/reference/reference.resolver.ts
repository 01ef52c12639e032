import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { canLookUpReference } from '../../policy';
import { DepartmentType, InstitutionType, PersonType, RegionType } from './reference.types';
import { findPersonByIdNumber, listDepartments, readPersonalData } from './reference.service';

async function region(ctx: GraphQLContext, code: string | null): Promise<RegionType | null> {
  if (!code) return null;
  const found = await ctx.loaders.region.load(code);
  return found ? RegionType.from(found) : null;
}

async function requiredRegion(ctx: GraphQLContext, code: string): Promise<RegionType> {
  const found = await region(ctx, code);
  if (!found) throw notFound(`region ${code}`);
  return found;
}

@Resolver(() => RegionType)
export class RegionResolver {
  @FieldResolver(() => RegionType, { nullable: true })
  parent(@Root() r: RegionType, @Ctx() ctx: GraphQLContext) {
    return region(ctx, r.parentCode);
  }
}

@Resolver(() => DepartmentType)
export class DepartmentResolver {
  @Query(() => [DepartmentType], { description: 'Every department (transfer and supervision targets).' })
  async departments(@Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    requireActor(ctx);
    return (await listDepartments(ctx.services)).map(DepartmentType.from);
  }

  @FieldResolver(() => RegionType)
  region(@Root() d: DepartmentType, @Ctx() ctx: GraphQLContext) {
    return requiredRegion(ctx, d.regionCode);
  }
}

@Resolver(() => InstitutionType)
export class InstitutionResolver {
  @Query(() => InstitutionType, { nullable: true })
  async institution(@Arg('code') code: string, @Ctx() ctx: GraphQLContext): Promise<InstitutionType | null> {
    const actor = requireActor(ctx);
    const found = await ctx.loaders.institution.load(code);
    if (!found || !canLookUpReference(actor, found.regionCode)) return null;
    return InstitutionType.from(found);
  }

  @FieldResolver(() => RegionType)
  region(@Root() i: InstitutionType, @Ctx() ctx: GraphQLContext) {
    return requiredRegion(ctx, i.regionCode);
  }
}

@Resolver(() => PersonType)
export class PersonResolver {
  @Query(() => PersonType, { nullable: true })
  async person(@Arg('personId') personId: string, @Ctx() ctx: GraphQLContext): Promise<PersonType | null> {
    const actor = requireActor(ctx);
    const found = await ctx.loaders.person.load(personId);
    if (!found || !canLookUpReference(actor, found.regionCode)) return null;
    return PersonType.from(found);
  }

  @Query(() => PersonType, {
    nullable: true,
    description:
      'The person with this resident ID number, found through its keyed hash (nothing is decrypted): for case workers ' +
      'of 医保, 卫健 and 纪委, inside their jurisdiction (null otherwise). Every search is audited.',
  })
  async personByIdNumber(@Arg('idNumber') idNumber: string, @Ctx() ctx: GraphQLContext): Promise<PersonType | null> {
    const found = await findPersonByIdNumber(ctx.services, requireActor(ctx), idNumber);
    return found ? PersonType.from(found) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Full number; only for users allowed to see it, and every read is audited.',
  })
  idNumber(@Root() p: PersonType, @Ctx() ctx: GraphQLContext) {
    return readPersonalData(ctx.services, requireActor(ctx), p.personId, 'idNumber');
  }

  @FieldResolver(() => String, { nullable: true, description: 'Full bank account; same rules as idNumber.' })
  bankAccount(@Root() p: PersonType, @Ctx() ctx: GraphQLContext) {
    return readPersonalData(ctx.services, requireActor(ctx), p.personId, 'bankAccount');
  }

  @FieldResolver(() => RegionType, { nullable: true })
  region(@Root() p: PersonType, @Ctx() ctx: GraphQLContext) {
    return region(ctx, p.regionCode);
  }
}
