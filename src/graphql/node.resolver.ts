import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { SqlParams } from '../core/sql';
import { AuditEntryType, AuditRow } from '../domain/audit/audit.types';
import { UserType } from '../domain/auth/auth.types';
import { DepartmentType, InstitutionType, PersonType } from '../domain/reference/reference.types';
import { findVisibleCase, findVisibleRectification, visibleSanctionsByIds } from '../domain/case/case.service';
import { CaseType, RectificationItemType, SanctionType } from '../domain/case/case.types';
import { findVisibleSupervisionItem } from '../domain/supervision/supervision.service';
import { SupervisionItemType } from '../domain/supervision/supervision.types';
import { findVisibleClue } from '../domain/clue/clue.service';
import { ClueType } from '../domain/clue/clue.types';
import { RoutingRuleType } from '../domain/routing/routing.resolver';
import { RoutingRuleRow } from '../domain/routing/routing.rules';
import { findVisibleTransfer } from '../domain/transfer/transfer.service';
import { ClueTransferType } from '../domain/transfer/transfer.types';
import { CollisionRunRow, RUN_SELECT } from '../domain/collision/collision-run.service';
import { CollisionHitRow, CollisionHitType, CollisionRunType } from '../domain/collision/collision.types';
import { Actor, canLookUpReference, canReadAuditLog, hitVisibleSql, runVisibleSql } from '../policy';
import { GraphQLContext, requireActor } from './context';
import { Node } from './relay';
import { fromGlobalId, NodeTypeName } from '../core/ids';

/** NOT_FOUND (unknown or not visible) and malformed ids become null. */
async function orNull<T>(fetch: () => Promise<T>): Promise<T | null> {
  try {
    return await fetch();
  } catch (error) {
    const code = (error as { code?: string; extensions?: { code?: string } }).code;
    if (code === 'NOT_FOUND' || code === '22P02') return null;
    throw error;
  }
}

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
  Clue: (ctx, actor, id) => orNull(async () => ClueType.from(await findVisibleClue(ctx.services.db, actor, id))),
  ClueTransfer: (ctx, actor, id) =>
    orNull(async () => ClueTransferType.from(await findVisibleTransfer(ctx.services.db, actor, id))),
  Case: (ctx, actor, id) => orNull(async () => CaseType.from(await findVisibleCase(ctx.services.db, actor, id))),
  Sanction: (ctx, actor, id) =>
    orNull(async () => {
      const [row] = await visibleSanctionsByIds(ctx.services.db, actor, [id]);
      return row ? SanctionType.from(row) : null;
    }),
  RectificationItem: (ctx, actor, id) =>
    orNull(async () => RectificationItemType.from(await findVisibleRectification(ctx.services.db, actor, id))),
  SupervisionItem: (ctx, actor, id) =>
    orNull(async () => SupervisionItemType.from(await findVisibleSupervisionItem(ctx.services.db, actor, id))),
  RoutingRule: async (ctx, _actor, id) => {
    const rows: RoutingRuleRow[] = await ctx.services.db.query('SELECT * FROM routing_rule WHERE id::text = $1', [id]);
    return rows[0] ? RoutingRuleType.from(rows[0]) : null;
  },
  CollisionRun: async (ctx, actor, id) => {
    const params = new SqlParams([id]);
    const rows: CollisionRunRow[] = await ctx.services.db.query(
      `SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id::text = $1 AND ${runVisibleSql(actor, params)}`,
      params.values,
    );
    return rows[0] ? CollisionRunType.from(rows[0]) : null;
  },
  CollisionHit: async (ctx, actor, id) => {
    const params = new SqlParams([id]);
    const rows: CollisionHitRow[] = await ctx.services.db.query(
      `SELECT h.* FROM collision_hit h WHERE h.id::text = $1 AND ${hitVisibleSql(actor, params)}`,
      params.values,
    );
    return rows[0] ? CollisionHitType.from(rows[0]) : null;
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
