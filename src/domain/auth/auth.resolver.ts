import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { fromGlobalId } from '../../core/ids';
import { assertCanManageUsers } from '../../policy';
import { DepartmentType } from '../reference/reference.types';
import { AuthPayload, CreateUserInput, UserType } from './auth.types';
import { createUser, login } from './auth.service';

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
    });
  }

  @Query(() => UserType, { description: '当前登录用户 (me)。' })
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    const actor = requireActor(ctx);
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

  @FieldResolver(() => DepartmentType, { description: '所属单位 (department)。' })
  async department(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    const department = await ctx.loaders.department.load(user.departmentId);
    if (!department) throw notFound('department');
    return DepartmentType.from(department);
  }
}
