import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { loadPresent } from '../../graphql/loaders';
import { pageSize } from '../../core/pagination';
import { fromGlobalId } from '../../core/ids';
import { MoneyScalar } from '../../graphql/scalars';
import { UserType } from '../auth/auth.types';
import { CaseType } from '../case/case.types';
import { CollisionModelEnum } from '../collision/collision.enums';
import { DepartmentType, InstitutionType, PersonType } from '../reference/reference.types';
import { ClueTransferType } from '../transfer/transfer.types';
import {
  clueAllowedEvents,
  closeClue,
  concludeVerification,
  findVisibleClue,
  listClues,
  registerClue,
  startVerification,
} from './clue.service';
import { ClueConnection, ClueFilter, ClueType, RegisterClueInput, StateChange, timelineFrom } from './clue.types';

const clueId = (id: string) => fromGlobalId(id, 'Clue').id;

@Resolver(() => ClueType)
export class ClueResolver {
  @Query(() => ClueType, { nullable: true, description: 'null when unknown or not visible' })
  async clue(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    const actor = requireActor(ctx);
    try {
      return ClueType.from(await findVisibleClue(ctx.services.db, actor, clueId(id)));
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  @Query(() => ClueConnection)
  async clues(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => ClueFilter, { nullable: true }) filter?: ClueFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<ClueConnection> {
    const actor = requireActor(ctx);
    const page = await listClues(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: ClueType.from(e.node) })) };
  }

  @Mutation(() => ClueType, {
    description: 'Registers a petition, inspection, self-report or audit clue; routing places it.',
  })
  async registerClue(@Arg('input') input: RegisterClueInput, @Ctx() ctx: GraphQLContext): Promise<ClueType> {
    return ClueType.from(await registerClue(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => ClueType)
  async startVerification(
    @Arg('clueId', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<ClueType> {
    return ClueType.from(await startVerification(ctx.services, requireActor(ctx), clueId(id), expectedVersion));
  }

  @Mutation(() => ClueType)
  async concludeVerification(
    @Arg('clueId', () => ID) id: string,
    @Arg('substantiated') substantiated: boolean,
    @Arg('findings') findings: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<ClueType> {
    return ClueType.from(
      await concludeVerification(ctx.services, requireActor(ctx), clueId(id), substantiated, findings, expectedVersion),
    );
  }

  @Mutation(() => ClueType)
  async closeClue(
    @Arg('clueId', () => ID) id: string,
    @Arg('disposition') disposition: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('recoveredAmount', () => MoneyScalar, { nullable: true }) recoveredAmount?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<ClueType> {
    return ClueType.from(
      await closeClue(ctx.services, requireActor(ctx), clueId(id), disposition, recoveredAmount, expectedVersion),
    );
  }

  @FieldResolver(() => CollisionModelEnum, { nullable: true })
  model(@Root() clue: ClueType): string | null {
    return clue.row.model;
  }

  @FieldResolver(() => InstitutionType, { nullable: true })
  async institution(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType | null> {
    if (!clue.row.institution_code) return null;
    const found = await ctx.loaders.institution.load(clue.row.institution_code);
    return found && InstitutionType.from(found);
  }

  @FieldResolver(() => [PersonType], { description: 'Subjects first, then persons of the evidence.' })
  async persons(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<PersonType[]> {
    const rows = await ctx.loaders.cluePersons.load(clue.row.id);
    return (
      await loadPresent(
        ctx.loaders.person,
        rows.map((r) => r.person_id),
      )
    ).map(PersonType.from);
  }

  @FieldResolver(() => DepartmentType, { nullable: true })
  async owner(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType | null> {
    if (!clue.row.owner_department_id) return null;
    const d = await ctx.loaders.department.load(clue.row.owner_department_id);
    return d && DepartmentType.from(d);
  }

  @FieldResolver(() => [DepartmentType], { description: '抄送: departments the clue is copied to (read-only).' })
  async copiedTo(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    const rows = await ctx.loaders.clueCopies.load(clue.row.id);
    return (
      await loadPresent(
        ctx.loaders.department,
        rows.map((r) => r.department_id),
      )
    ).map(DepartmentType.from);
  }

  @FieldResolver(() => [ClueTransferType])
  async transfers(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<ClueTransferType[]> {
    return (await ctx.loaders.clueTransfers.load(clue.row.id)).map(ClueTransferType.from);
  }

  @FieldResolver(() => CaseType, { nullable: true, description: 'The case opened from this clue, when visible.' })
  async case(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    const row = await ctx.loaders.clueCase.load(clue.row.id);
    return row && CaseType.from(row);
  }

  @FieldResolver(() => [String], { description: 'Events the caller may fire now (state and permission).' })
  allowedEvents(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): string[] {
    return clueAllowedEvents(requireActor(ctx), clue.row);
  }

  @FieldResolver(() => [StateChange])
  async timeline(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Clue.load(clue.row.id));
  }
}

@Resolver(() => StateChange)
export class StateChangeResolver {
  @FieldResolver(() => UserType, { nullable: true, description: 'null for the system (routing, scheduled jobs).' })
  async actor(@Root() change: StateChange, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!change.actorId) return null;
    const user = await ctx.loaders.user.load(change.actorId);
    return user && UserType.from(user);
  }
}
