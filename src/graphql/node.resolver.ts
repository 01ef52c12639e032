import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { InspectionType } from '../domain/inspection/inspection.types';
import { DocumentType } from '../domain/document/document.types';
import { AuditEntryType } from '../domain/audit/audit.types';
import { findAuditEntry } from '../domain/audit/audit.service';
import { UserType } from '../domain/auth/auth.types';
import { DepartmentType, InstitutionType, PersonType } from '../domain/reference/reference.types';
import { findVisibleCase, findVisibleRectification, visibleSanctionsByIds } from '../domain/case/case.service';
import { CaseType, RectificationItemType, SanctionType } from '../domain/case/case.types';
import { findVisibleSupervisionItem } from '../domain/supervision/supervision.service';
import { SupervisionItemType } from '../domain/supervision/supervision.types';
import { findVisibleClue } from '../domain/clue/clue.service';
import { ClueType } from '../domain/clue/clue.types';
import { RoutingRuleType } from '../domain/routing/routing.resolver';
import { findRoutingRule } from '../domain/routing/routing.service';
import { findVisibleRuleVersion } from '../domain/rule/rule.service';
import { RuleType } from '../domain/rule/rule.types';
import { findVisibleTransfer } from '../domain/transfer/transfer.service';
import { ClueTransferType } from '../domain/transfer/transfer.types';
import { findVisibleRun } from '../domain/collision/collision-run.service';
import { findVisibleHit } from '../domain/collision/collision-hit.service';
import { CollisionHitType, CollisionRunType } from '../domain/collision/collision.types';
import { Actor, canLookUpReference } from '../policy';
import { GraphQLContext, requireActor } from './context';
import { Node } from './relay';
import { findRecheck, visibleMeasuresByIds } from '../domain/problem/problem.service';
import { CampaignType, SelfCheckReportType } from '../domain/campaign/campaign.types';
import { findVisibleSelfCheckReport } from '../domain/campaign/campaign.service';
import { ProblemType, RecheckType, RectificationMeasureType } from '../domain/problem/problem.types';
import { AppError } from '../core/errors';
import { fromGlobalId, NodeTypeName } from '../core/ids';

/** NOT_FOUND (unknown or not visible) becomes null; ids were validated by fromGlobalId. */
async function orNull<T>(fetch: () => Promise<T>): Promise<T | null> {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
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
    const rule = await findRoutingRule(ctx.services.db, id);
    return rule && RoutingRuleType.from(rule);
  },
  Rule: async (ctx, actor, id) => {
    const rule = await findVisibleRuleVersion(ctx.services.db, actor, id);
    return rule && RuleType.from(rule);
  },
  CollisionRun: async (ctx, actor, id) => {
    const run = await findVisibleRun(ctx.services.db, actor, id);
    return run && CollisionRunType.from(run);
  },
  CollisionHit: async (ctx, actor, id) => {
    const hit = await findVisibleHit(ctx.services.db, actor, id);
    return hit && CollisionHitType.from(hit);
  },
  Problem: async (ctx, _actor, id) => {
    const row = await ctx.loaders.visibleProblem.load(id);
    return row && ProblemType.from(row);
  },
  RectificationMeasure: async (ctx, actor, id) => {
    const [row] = await visibleMeasuresByIds(ctx.services.db, actor, [id]);
    return row ? RectificationMeasureType.from(row) : null;
  },
  Inspection: async (ctx, _actor, id) => {
    const row = await ctx.loaders.visibleInspection.load(id);
    return row && InspectionType.from(row);
  },
  Document: async (ctx, _actor, id) => {
    const row = await ctx.loaders.visibleDocument.load(id);
    return row && DocumentType.from(row);
  },
  Recheck: async (ctx, _actor, id) => {
    const row = await findRecheck(ctx.services.db, id);
    return row && (await ctx.loaders.visibleProblem.load(row.problem_id)) ? RecheckType.from(row) : null;
  },
  Campaign: async (ctx, _actor, id) => {
    const row = await ctx.loaders.visibleCampaign.load(id);
    return row && CampaignType.from(row);
  },
  SelfCheckReport: async (ctx, actor, id) => {
    const row = await findVisibleSelfCheckReport(ctx.services.db, actor, id);
    return row && SelfCheckReportType.from(row);
  },
  AuditEntry: async (ctx, actor, id) => {
    const row = await findAuditEntry(ctx.services.db, actor, id);
    return row && AuditEntryType.fromRow(row);
  },
};

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description:
      '按全局编号取任一对象 (Relay node)；不存在或不可见时为 null。Any object by its global id; null when unknown or not visible.',
  })
  async node(
    @Arg('id', () => ID, { description: '全局编号 (global id)。' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Node | null> {
    const actor = requireActor(ctx);
    const decoded = fromGlobalId(id);
    const fetch = FETCHERS[decoded.type];
    return fetch ? fetch(ctx, actor, decoded.id) : null;
  }
}
