import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { canLookUpReference } from '../../policy';
import { InstitutionType, PersonType } from '../reference/reference.types';
import { SettlementItemType, SettlementType } from './settlement.types';

@Resolver(() => SettlementType)
export class SettlementResolver {
  @Query(() => SettlementType, {
    nullable: true,
    description:
      '按结算单号查结算单：机构在调用者辖区内时（权限同 institution），否则为 null。A settlement, when its institution lies in the caller’s jurisdiction (null otherwise).',
  })
  async settlement(
    @Arg('settlementId', { description: '结算单号。' }) settlementId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SettlementType | null> {
    const actor = requireActor(ctx);
    const row = await ctx.loaders.settlement.load(settlementId);
    if (!row || !canLookUpReference(actor, row.region_code)) return null;
    return SettlementType.fromRow(row);
  }

  @FieldResolver(() => PersonType, { description: '就医人 (person)：参保人。' })
  async person(@Root() s: SettlementType, @Ctx() ctx: GraphQLContext): Promise<PersonType> {
    const person = await ctx.loaders.person.load(s.personId);
    if (!person) throw notFound(`person ${s.personId}`);
    return PersonType.from(person);
  }

  @FieldResolver(() => InstitutionType, { description: '结算的定点医药机构。' })
  async institution(@Root() s: SettlementType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType> {
    const institution = await ctx.loaders.institution.load(s.institutionCode);
    if (!institution) throw notFound(`institution ${s.institutionCode}`);
    return InstitutionType.from(institution);
  }

  @FieldResolver(() => [SettlementItemType], { description: '费用明细，按行号。' })
  async items(@Root() s: SettlementType, @Ctx() ctx: GraphQLContext): Promise<SettlementItemType[]> {
    return (await ctx.loaders.settlementItems.load(s.settlementId)).map(SettlementItemType.fromRow);
  }
}
