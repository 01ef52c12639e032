import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor, requireActorForPasswordChange } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { fromGlobalId, optionalRowId, rowId } from '../../core/ids';
import { pageSize } from '../../core/pagination';
import { assertCanManageUsers } from '../../policy';
import { DepartmentType } from '../reference/reference.types';
import { AuthPayload, CreateUserInput, UpdateUserInput, UserConnection, UserFilter, UserType } from './auth.types';
import { changePassword, createUser, listUsers, login, resetPassword, setUserActive, updateUser } from './auth.service';
import { UserRow, userEntityOf } from './auth.repository';

const userOf = (row: UserRow): UserType => UserType.from(userEntityOf(row));

@Resolver(() => UserType)
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Issues a bearer token. Failed attempts are slowed, then refused.' })
  async login(
    @Arg('username') username: string,
    @Arg('password') password: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AuthPayload> {
    const result = await login(ctx.services, username, password, ctx.ip);
    return Object.assign(new AuthPayload(), {
      token: result.token,
      expiresAt: result.expiresAt,
      user: UserType.from(result.user),
      mustChangePassword: result.user.mustChangePassword,
    });
  }

  @Query(() => UserType, { description: 'The caller (also answered while a password change is required).' })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    const actor = requireActorForPasswordChange(ctx);
    const user = await ctx.loaders.user.load(actor.userId);
    if (!user) throw notFound('user');
    return UserType.from(user);
  }

  @Mutation(() => UserType, { description: 'ADMIN: creates a user in a department of the admin’s jurisdiction.' })
  async createUser(@Arg('input') input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const actor = requireActor(ctx);
    const department = await ctx.loaders.department.load(fromGlobalId(input.departmentId, 'Department').id);
    if (!department) throw notFound('department');
    assertCanManageUsers(actor, department.regionCode);
    return UserType.from(await createUser(ctx.services, { ...input, departmentId: department.id }));
  }

  @Query(() => UserConnection, {
    description: 'ADMIN: the users of departments inside the admin’s jurisdiction, newest first.',
  })
  async users(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => UserFilter, { nullable: true }) filter?: UserFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<UserConnection> {
    const actor = requireActor(ctx);
    const page = await listUsers(
      ctx.services,
      actor,
      { ...filter, departmentId: optionalRowId(filter?.departmentId, 'Department') },
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: userOf(e.node) })) };
  }

  @Mutation(() => UserType, {
    description: 'ADMIN: deactivates a user of the jurisdiction; their tokens stop working at once.',
  })
  async deactivateUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    return userOf(await setUserActive(ctx.services, requireActor(ctx), rowId(userId, 'User'), false));
  }

  @Mutation(() => UserType, { description: 'ADMIN: reactivates a deactivated user of the jurisdiction.' })
  async reactivateUser(@Arg('userId', () => ID) userId: string, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    return userOf(await setUserActive(ctx.services, requireActor(ctx), rowId(userId, 'User'), true));
  }

  @Mutation(() => UserType, { description: 'ADMIN: changes a user’s roles, department or display name.' })
  async updateUser(@Arg('input') input: UpdateUserInput, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    return userOf(
      await updateUser(ctx.services, requireActor(ctx), rowId(input.userId, 'User'), {
        displayName: input.displayName,
        roles: input.roles,
        departmentId: optionalRowId(input.departmentId, 'Department'),
      }),
    );
  }

  @Mutation(() => UserType, {
    description:
      'ADMIN: sets a new password for a user of the jurisdiction; the user must change it at the next login.',
  })
  async resetPassword(
    @Arg('userId', () => ID) userId: string,
    @Arg('newPassword') newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return userOf(await resetPassword(ctx.services, requireActor(ctx), rowId(userId, 'User'), newPassword));
  }

  @Mutation(() => UserType, { description: 'The caller changes their own password (required after a reset).' })
  async changePassword(
    @Arg('currentPassword') currentPassword: string,
    @Arg('newPassword') newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    const actor = requireActorForPasswordChange(ctx);
    return userOf(await changePassword(ctx.services, actor, currentPassword, newPassword, ctx.ip));
  }

  @FieldResolver(() => DepartmentType)
  async department(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    const department = await ctx.loaders.department.load(user.departmentId);
    if (!department) throw notFound('department');
    return DepartmentType.from(department);
  }
}
