import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { AuditEntryType, AuditRow } from '../domain/audit/audit.types';
import { UserType } from '../domain/auth/auth.types';
import { DepartmentType, InstitutionType, PersonType } from '../domain/reference/reference.types';
import { Actor, canLookUpReference, canReadAuditLog } from '../policy';
import { GraphQLContext, requireActor } from './context';
import { fromGlobalId, Node, NodeTypeName } from './relay';

type Fetcher = (ctx: GraphQLContext, actor: Actor, id: string) => Promise<Node | null>;

/** How each node type is fetched and checked; an id the caller may not see resolves to null. */
const FETCHERS: Partial<Record<NodeTypeName, Fetcher>> = {
  Department: async (ctx, _actor, id) => {
    const d = await ctx.loaders.department.load(id);
    return d && DepartmentType.from(d);
  },
  User: async (ctx, _actor, id) => {
    const u = await ctx.loaders.user.load(id);
    return u && UserType.from(u);
  },
  Institution: async (ctx, actor, code) => {
    const i = await ctx.loaders.institution.load(code);
    return i && canLookUpReference(actor, i.regionCode) ? InstitutionType.from(i) : null;
  },
  Person: async (ctx, actor, personId) => {
    const p = await ctx.loaders.person.load(personId);
    return p && canLookUpReference(actor, p.regionCode) ? PersonType.from(p) : null;
  },
  AuditEntry: async (ctx, actor, id) => {
    if (!canReadAuditLog(actor) || !/^\d+$/.test(id)) return null;
    const rows: AuditRow[] = await ctx.services.db.query('SELECT * FROM audit_log WHERE id = $1', [id]);
    return rows[0] ? AuditEntryType.fromRow(rows[0]) : null;
  },
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when unknown or not visible.' })
  async node(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    const actor = requireActor(ctx);
    const decoded = fromGlobalId(id);
    const fetch = FETCHERS[decoded.type];
    return fetch ? fetch(ctx, actor, decoded.id) : null;
  }
}
