import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { ARG, connectionOf } from '../../graphql/relay';
import { CaseType } from '../case/case.types';
import { StateChange, timelineFrom } from '../clue/clue.types';
import { ProblemType } from '../problem/problem.types';
import { DepartmentType } from '../reference/reference.types';
import { SupervisionItemType } from '../supervision/supervision.types';
import { issueDocument, listDocuments } from './document.service';
import {
  DocumentConnection,
  DocumentFilter,
  DocumentType,
  IssueDocumentInput,
  NoticeEntryType,
} from './document.types';
import { referencedDepartment } from '../reference/reference.resolver';

const present = <T>(values: (T | null | Error)[]): T[] =>
  values.filter((v): v is T => v !== null && !(v instanceof Error));

@Resolver(() => DocumentType)
export class DocumentResolver {
  @Query(() => DocumentConnection, {
    description:
      "Newest first: documents my department issued or received, (纪委) those issued in my jurisdiction, and every 通报 of my issuer's region.",
  })
  async documents(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => DocumentFilter, { nullable: true, description: '筛选条件。' }) filter?: DocumentFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<DocumentConnection> {
    const page = await listDocuments(
      ctx.services,
      requireActor(ctx),
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => DocumentType.from(row));
  }

  @Mutation(() => DocumentType, {
    description:
      'A leader or section head issues a document for their department: 文号 assigned, recipients notified, measures listed as problems.',
  })
  async issueDocument(
    @Arg('input', () => IssueDocumentInput, { description: '文书。' }) input: IssueDocumentInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DocumentType> {
    return DocumentType.from(await issueDocument(ctx.services, requireActor(ctx), input));
  }

  @FieldResolver(() => [StateChange], {
    description: '时间线：发文及其后的事件。Its events with dates (issued, and what followed).',
  })
  async timeline(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Document.load(d.row.id));
  }

  @FieldResolver(() => DepartmentType, { description: '发文单位 (issuer)。The issuing department.' })
  issuer(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, d.row.issuer_department_id);
  }

  @FieldResolver(() => [DepartmentType], { description: '收文单位 (recipients)。The receiving departments.' })
  async recipients(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    const rows = await ctx.loaders.documentRecipients.load(d.row.id);
    return Promise.all(rows.map((r) => referencedDepartment(ctx, r.department_id)));
  }

  @FieldResolver(() => [CaseType], {
    description: '涉及的、调用者可见的案件，按发文时顺序。The cases it concerns that I may see, in the order given.',
  })
  async cases(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<CaseType[]> {
    const links = await ctx.loaders.documentCases.load(d.row.id);
    return present(await ctx.loaders.visibleCase.loadMany(links.map((l) => l.case_id))).map(CaseType.from);
  }

  @FieldResolver(() => [ProblemType], {
    description:
      '涉及的问题及由其整改要求生成的问题（调用者可见的），从早到晚。The problems it concerns and those made from its measures, that I may see; oldest first.',
  })
  async problems(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<ProblemType[]> {
    const links = await ctx.loaders.documentProblems.load(d.row.id);
    return present(await ctx.loaders.visibleProblem.loadMany(links.map((l) => l.problem_id))).map(ProblemType.from);
  }

  @FieldResolver(() => SupervisionItemType, {
    nullable: true,
    description: '所属督办事项，可见时。The supervision item, when visible to me.',
  })
  async supervisionItem(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<SupervisionItemType | null> {
    if (!d.row.supervision_item_id) return null;
    const row = await ctx.loaders.visibleSupervisionItem.load(d.row.supervision_item_id);
    return row && SupervisionItemType.from(row);
  }

  @FieldResolver(() => [NoticeEntryType], { description: "A 通报's cases as issued (empty for other kinds)." })
  async noticeEntries(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<NoticeEntryType[]> {
    return (await ctx.loaders.documentNoticeEntries.load(d.row.id)).map(NoticeEntryType.from);
  }
}
