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
    });
  }

  @Query(() => UserType)
  async me(@Ctx() ctx: GraphQLContext): Promise<UserType> {
    const actor = requireActor(ctx);
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

  @FieldResolver(() => DepartmentType)
  async department(@Root() user: UserType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    const department = await ctx.loaders.department.load(user.departmentId);
    if (!department) throw notFound('department');
    return DepartmentType.from(department);
  }
}
