import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { mapNow } from '../../graphql/loaders';
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
  @FieldResolver(() => RegionType, { nullable: true, description: '上级行政区划 (parent)；省为 null。' })
  parent(@Root() r: RegionType, @Ctx() ctx: GraphQLContext) {
    return region(ctx, r.parentCode);
  }
}

@Resolver(() => DepartmentType)
export class DepartmentResolver {
  @Query(() => [DepartmentType], {
    description:
      '全部单位 (departments)：移送、督办、发文的对象；登录用户均可查。Every department (transfer and supervision targets).',
  })
  async departments(@Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    requireActor(ctx);
    return (await listDepartments(ctx.services)).map(DepartmentType.from);
  }

  @FieldResolver(() => RegionType, { description: '单位所在行政区划，即其辖区 (jurisdiction)。' })
  region(@Root() d: DepartmentType, @Ctx() ctx: GraphQLContext) {
    return requiredRegion(ctx, d.regionCode);
  }
}

@Resolver(() => InstitutionType)
export class InstitutionResolver {
  @Query(() => InstitutionType, {
    nullable: true,
    description: '按编码查定点医药机构：医保、卫健、纪委的非管理员用户，限辖区内；不存在或不可见时为 null。',
  })
  async institution(
    @Arg('code', { description: '机构编码。' }) code: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InstitutionType | null> {
    const actor = requireActor(ctx);
    const found = await ctx.loaders.institution.load(code);
    if (!found || !canLookUpReference(actor, found.regionCode)) return null;
    return InstitutionType.from(found);
  }

  @FieldResolver(() => RegionType, { description: '机构所在行政区划。' })
  region(@Root() i: InstitutionType, @Ctx() ctx: GraphQLContext) {
    return requiredRegion(ctx, i.regionCode);
  }
}

@Resolver(() => PersonType)
export class PersonResolver {
  @Query(() => PersonType, {
    nullable: true,
    description: '按人员编号查自然人：权限同 institution（按人员所在区划）；不存在或不可见时为 null。',
  })
  async person(
    @Arg('personId', { description: '人员编号 (person id)。' }) personId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PersonType | null> {
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
  async personByIdNumber(
    @Arg('idNumber', { description: '公民身份号码 (resident ID number)，18 位；只按密钥散列比对，从不解密。' })
    idNumber: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PersonType | null> {
    const found = await findPersonByIdNumber(ctx.services, requireActor(ctx), idNumber);
    return found ? PersonType.from(found) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      '完整身份证号 (ID number)：仅办案人员、科室负责人、领导可读（其他角色报 FORBIDDEN），每次读取都记审计日志。Full number; only for users allowed to see it, and every read is audited.',
  })
  idNumber(@Root() p: PersonType, @Ctx() ctx: GraphQLContext) {
    return readPersonalData(ctx.services, requireActor(ctx), p.personId, 'idNumber');
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: '完整银行账号 (bank account)：规则同 idNumber。Full bank account; same rules as idNumber.',
  })
  bankAccount(@Root() p: PersonType, @Ctx() ctx: GraphQLContext) {
    return readPersonalData(ctx.services, requireActor(ctx), p.personId, 'bankAccount');
  }

  @FieldResolver(() => RegionType, { nullable: true, description: '参保地行政区划；未知时为 null。' })
  region(@Root() p: PersonType, @Ctx() ctx: GraphQLContext) {
    return region(ctx, p.regionCode);
  }
}

/*
 * The department or institution a row refers to, for the field resolvers of every module:
 * without a promise when it is kept (loaders.departmentNow), so that a list's rows complete
 * synchronously.
 */

/** The department of a foreign key (it exists: a missing one is a fault, not the client's). */
export function referencedDepartment(ctx: GraphQLContext, id: string): DepartmentType | Promise<DepartmentType> {
  return mapNow(ctx.loaders.departmentNow(id), (d) => {
    if (!d) throw new Error(`department ${id} is missing`);
    return DepartmentType.from(d);
  });
}

/** The department of a nullable foreign key. */
export function optionalDepartment(
  ctx: GraphQLContext,
  id: string | null | undefined,
): DepartmentType | null | Promise<DepartmentType> {
  return id ? referencedDepartment(ctx, id) : null;
}

/** The institution of a nullable code (institution codes of rows are foreign keys too, except in evidence). */
export function optionalInstitution(
  ctx: GraphQLContext,
  code: string | null | undefined,
): InstitutionType | null | Promise<InstitutionType | null> {
  if (!code) return null;
  return mapNow(ctx.loaders.institutionNow(code), (found) => found && InstitutionType.from(found));
}
