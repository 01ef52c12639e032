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
import { connectionOf } from '../../graphql/relay';

const userOf = (row: UserRow): UserType => UserType.from(userEntityOf(row));

@Resolver(() => UserType)
export class AuthResolver {
  @Mutation(() => AuthPayload, {
    description:
      '登录 (login)：签发访问令牌。用户名或口令错误报 UNAUTHENTICATED；连续失败先被延迟，再被拒绝一段时间 (TOO_MANY_REQUESTS)。Issues a bearer token. Failed attempts are slowed, then refused.',
  })
  async login(
    @Arg('username', { description: '登录名。' }) username: string,
    @Arg('password', { description: '口令（审计日志中已脱敏）。' }) password: string,
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

  @Query(() => UserType, {
    description: '当前登录用户 (me)；需要修改密码时也可调用 (also answered while a password change is required)。',
  })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    const actor = requireActorForPasswordChange(ctx);
    const user = await ctx.loaders.user.load(actor.userId);
    if (!user) throw notFound('user');
    return UserType.from(user);
  }

  @Mutation(() => UserType, {
    description:
      '新建用户 (create user)：系统管理员 (ADMIN)，在其辖区内的单位。单位不存在报 NOT_FOUND，越权报 FORBIDDEN，登录名重复报 CONFLICT。ADMIN: creates a user in a department of the admin’s jurisdiction.',
  })
  async createUser(
    @Arg('input', { description: '新用户。' }) input: CreateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
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
    @Arg('filter', () => UserFilter, { nullable: true, description: '筛选条件 (filters)。' })
    filter?: UserFilter | null,
    @Arg('first', () => Int, { nullable: true, description: '每页条数 (page size)，不超过配置的上限。' })
    first?: number | null,
    @Arg('after', () => String, { nullable: true, description: '游标 (cursor)：上一页的 endCursor。' })
    after?: string | null,
  ): Promise<UserConnection> {
    const actor = requireActor(ctx);
    const page = await listUsers(
      ctx.services,
      actor,
      { ...filter, departmentId: optionalRowId(filter?.departmentId, 'Department') },
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => userOf(row));
  }

  @Mutation(() => UserType, {
    description: 'ADMIN: deactivates a user of the jurisdiction; their tokens stop working at once.',
  })
  async deactivateUser(
    @Arg('userId', () => ID, { description: '要停用的用户 (user) 的全局编号。' }) userId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return userOf(await setUserActive(ctx.services, requireActor(ctx), rowId(userId, 'User'), false));
  }

  @Mutation(() => UserType, { description: 'ADMIN: reactivates a deactivated user of the jurisdiction.' })
  async reactivateUser(
    @Arg('userId', () => ID, { description: '要重新启用的用户 (user) 的全局编号。' }) userId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return userOf(await setUserActive(ctx.services, requireActor(ctx), rowId(userId, 'User'), true));
  }

  @Mutation(() => UserType, { description: 'ADMIN: changes a user’s roles, department or display name.' })
  async updateUser(
    @Arg('input', { description: '要修改的字段；未给出的保持不变 (absent fields are kept)。' }) input: UpdateUserInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
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
    @Arg('userId', () => ID, { description: '要重置密码的用户 (user) 的全局编号。' }) userId: string,
    @Arg('newPassword', { description: '临时密码 (temporary password)：用户下次登录后须修改。' }) newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    return userOf(await resetPassword(ctx.services, requireActor(ctx), rowId(userId, 'User'), newPassword));
  }

  @Mutation(() => UserType, { description: 'The caller changes their own password (required after a reset).' })
  async changePassword(
    @Arg('currentPassword', { description: '当前密码 (current password)；重置后即临时密码。' }) currentPassword: string,
    @Arg('newPassword', { description: '新密码 (new password)。' }) newPassword: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<UserType> {
    const actor = requireActorForPasswordChange(ctx);
    return userOf(await changePassword(ctx.services, actor, currentPassword, newPassword, ctx.ip));
  }

  @FieldResolver(() => DepartmentType)
  @FieldResolver(() => DepartmentType, { description: '所属单位 (department)。' })
  async department(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    const department = await ctx.loaders.department.load(user.departmentId);
    if (!department) throw notFound('department');
    return DepartmentType.from(department);
  }
}
