import { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { AuditResolver } from '../domain/audit/audit.resolver';
import { AuthResolver } from '../domain/auth/auth.resolver';
import { IngestFileResolver } from '../domain/ingest/ingest.resolver';
import { SettlementResolver } from '../domain/ingest/settlement.resolver';
import {
  DepartmentResolver,
  InstitutionResolver,
  PersonResolver,
  RegionResolver,
} from '../domain/reference/reference.resolver';
import { auditMiddleware } from './audit.middleware';
import { freshLoadersPerMutation } from './fresh-loaders.middleware';
import { ClueResolver, StateChangeResolver } from '../domain/clue/clue.resolver';
import { CaseResolver, RectificationItemResolver, SanctionResolver } from '../domain/case/case.resolver';
import { ProgressReportResolver, SupervisionResolver } from '../domain/supervision/supervision.resolver';
import { RoutingRuleResolver } from '../domain/routing/routing.resolver';
import { CollisionHitRuleResolver, RuleResolver } from '../domain/rule/rule.resolver';
import { TransferResolver } from '../domain/transfer/transfer.resolver';
import {
  ClueHitsResolver,
  CollisionHitResolver,
  CollisionRunResolver,
  InstitutionVerificationResolver,
} from '../domain/collision/collision.resolver';
import { LabelsResolver } from './labels.resolver';
import { SubscriptionResolver } from './subscriptions.resolver';
import { NodeResolver } from './node.resolver';
import { StatsResolver } from '../domain/stats/stats.resolver';
import { CaseGraphResolver } from '../domain/graph/case-graph.resolver';
import {
  ClueProblemsResolver,
  ProblemResolver,
  RecheckResolver,
  RectificationMeasureResolver,
} from '../domain/problem/problem.resolver';
import {
  CampaignResolver,
  ClueCampaignResolver,
  ProblemCampaignResolver,
  RunCampaignResolver,
  InspectionCampaignResolver,
  DocumentCampaignResolver,
  SelfCheckReportResolver,
  StatsCampaignsResolver,
} from '../domain/campaign/campaign.resolver';
import { NotificationResolver } from '../domain/notification/notification.resolver';
import { InspectionResolver, ProblemInspectionResolver } from '../domain/inspection/inspection.resolver';
import { DocumentResolver } from '../domain/document/document.resolver';
import { DateTimeScalar } from './scalars';

/** Every resolver of the API; a new module adds its resolvers here. */
export const RESOLVERS = [
  CampaignResolver,
  StatsCampaignsResolver,
  SelfCheckReportResolver,
  ClueCampaignResolver,
  RunCampaignResolver,
  ProblemCampaignResolver,
  InspectionCampaignResolver,
  DocumentCampaignResolver,
  AuthResolver,
  RegionResolver,
  DepartmentResolver,
  InstitutionResolver,
  PersonResolver,
  AuditResolver,
  SettlementResolver,
  IngestFileResolver,
  NodeResolver,
  LabelsResolver,
  ClueResolver,
  StateChangeResolver,
  TransferResolver,
  RoutingRuleResolver,
  RuleResolver,
  CollisionHitRuleResolver,
  SubscriptionResolver,
  CollisionRunResolver,
  CollisionHitResolver,
  ClueHitsResolver,
  InstitutionVerificationResolver,
  CaseResolver,
  SanctionResolver,
  RectificationItemResolver,
  SupervisionResolver,
  ProgressReportResolver,
  StatsResolver,
  CaseGraphResolver,
  NotificationResolver,
  ProblemResolver,
  RectificationMeasureResolver,
  RecheckResolver,
  ClueProblemsResolver,
  InspectionResolver,
  ProblemInspectionResolver,
  DocumentResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The schema is built once per process (type-graphql metadata is global). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    globalMiddlewares: [freshLoadersPerMutation, auditMiddleware],
    // Subscriptions subscribe to the services' Redis event bus themselves (subscriptions.resolver.ts);
    // type-graphql still insists on a pubSub, which stays unused.
    pubSub: createPubSub(),
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  }).then(describeRootTypes);
  return built;
}

/** type-graphql gives the root types no description option: they are set on the built schema. */
function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  const roots = {
    查询: schema.getQueryType(),
    变更: schema.getMutationType(),
    订阅: schema.getSubscriptionType(),
  };
  const notes = {
    查询: '查询 (queries)：除 enumLabels 外均需登录 (Authorization: Bearer <token>)，否则报 UNAUTHENTICATED；只返回调用者可见的数据，单个对象不存在或不可见时返回 null。',
    变更: '变更 (mutations)：除 login 外均需登录，每次调用都写入审计日志；错误见 extensions.code（FORBIDDEN、NOT_FOUND、BAD_USER_INPUT、INVALID_TRANSITION、VERSION_CONFLICT、CONFLICT）。',
    订阅: '订阅 (subscriptions)：graphql-ws 协议，同一路径，在 connectionParams 中带 authorization；推送与本人或本单位有关的事件。',
  };
  for (const [key, type] of Object.entries(roots)) if (type) type.description = notes[key as keyof typeof notes];
  return schema;
}
