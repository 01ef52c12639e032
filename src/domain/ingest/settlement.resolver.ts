import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../graphql/errors';
import { canLookUpReference } from '../../policy';
import { InstitutionType, PersonType } from '../reference/reference.types';
import { loadSettlementItems, loadSettlements } from './settlement.service';
import { SettlementItemType, SettlementType } from './settlement.types';

/** Per-request batching of items (a hit lists many settlements). */
const itemLoaders = new WeakMap<GraphQLContext, DataLoader<string, SettlementItemType[]>>();

function itemLoader(ctx: GraphQLContext): DataLoader<string, SettlementItemType[]> {
  let loader = itemLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const rows = await loadSettlementItems(ctx.services.db, ids);
      const bySettlement = new Map<string, SettlementItemType[]>(ids.map((id) => [id, []]));
      for (const row of rows) bySettlement.get(row.settlement_id)?.push(SettlementItemType.fromRow(row));
      return ids.map((id) => bySettlement.get(id)!);
    });
    itemLoaders.set(ctx, loader);
  }
  return loader;
}

@Resolver(() => SettlementType)
export class SettlementResolver {
  @Query(() => SettlementType, {
    nullable: true,
    description: 'A settlement, when its institution lies in the caller’s jurisdiction (null otherwise).',
  })
  async settlement(
    @Arg('settlementId') settlementId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SettlementType | null> {
    const actor = requireActor(ctx);
    const [row] = await loadSettlements(ctx.services.db, [settlementId]);
    if (!row || !canLookUpReference(actor, row.region_code)) return null;
    return SettlementType.fromRow(row);
  }

  @FieldResolver(() => PersonType)
  async person(@Root() s: SettlementType, @Ctx() ctx: GraphQLContext): Promise<PersonType> {
    const person = await ctx.loaders.person.load(s.personId);
    if (!person) throw notFound(`person ${s.personId}`);
    return PersonType.from(person);
  }

  @FieldResolver(() => InstitutionType)
  async institution(@Root() s: SettlementType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType> {
    const institution = await ctx.loaders.institution.load(s.institutionCode);
    if (!institution) throw notFound(`institution ${s.institutionCode}`);
    return InstitutionType.from(institution);
  }

  @FieldResolver(() => [SettlementItemType])
  items(@Root() s: SettlementType, @Ctx() ctx: GraphQLContext): Promise<SettlementItemType[]> {
    return itemLoader(ctx).load(s.settlementId);
  }
}
