import { ArrayNotEmpty, Length, Matches, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DepartmentKindEnum, RoleEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import type { DepartmentKind } from '../reference/department.entity';
import { toGlobalId } from '../../core/ids';
import { Role, UserEntity } from './user.entity';

@ObjectType('User', { implements: Node, description: '用户 (user)：属于一个单位，有一个或多个角色。' })
export class UserType extends Node {
  readonly __typename = 'User';

  dbId: string;

  @Field({ description: '登录名 (username)。' })
  username: string;

  @Field({ description: '显示名 (display name)，如姓名。' })
  displayName: string;

  @Field(() => [RoleEnum], { description: '角色 (roles)。' })
  roles: Role[];

  departmentId: string;

  @Field({ description: 'False once an administrator deactivated the user (their tokens no longer work).' })
  active: boolean;

  @Field({ description: 'True after an administrator reset the password, until the user changes it.' })
  mustChangePassword: boolean;

  @Field({ description: '创建时间 (created at)。' })
  createdAt: Date;

  static from(e: UserEntity): UserType {
    return Object.assign(new UserType(), {
      id: toGlobalId('User', e.id),
      dbId: e.id,
      username: e.username,
      displayName: e.displayName,
      roles: e.roles,
      departmentId: e.departmentId,
      active: e.active ?? true,
      mustChangePassword: e.mustChangePassword ?? false,
      createdAt: e.createdAt,
    });
  }
}

@ObjectType('UserConnection', { description: '用户分页连接 (users connection)。' })
export class UserConnection extends ConnectionType(UserType, 'User') {}

@InputType('UserFilter', { description: 'Filters of the users list (ADMINs, users of their jurisdiction).' })
export class UserFilter {
  @Field(() => ID, { nullable: true, description: '所属单位 (department)：此单位的用户。' })
  departmentId?: string | null;

  @Field(() => DepartmentKindEnum, { nullable: true, description: '单位类别 (agency kind)：此类单位的用户。' })
  departmentKind?: DepartmentKind | null;

  @Field(() => String, { nullable: true, description: 'Users of departments in this region and below.' })
  regionCode?: string | null;

  @Field(() => RoleEnum, { nullable: true, description: 'Users holding this role.' })
  role?: Role | null;

  @Field(() => Boolean, { nullable: true, description: '启用状态 (active)：true 仅启用的，false 仅停用的。' })
  active?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: '需修改密码 (must change password)：重置密码后尚未修改的用户。',
  })
  mustChangePassword?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Text in the username or display name.' })
  search?: string | null;
}

@InputType('UpdateUserInput', { description: 'Absent fields are kept.' })
export class UpdateUserInput {
  @Field(() => ID, { description: '要修改的用户 (user) 的全局编号。' })
  userId: string;

  @Field(() => String, { nullable: true, description: '姓名 (display name)。' })
  displayName?: string | null;

  @Field(() => ID, { nullable: true, description: 'Moves the user to this department (inside your jurisdiction).' })
  departmentId?: string | null;

  @Field(() => [RoleEnum], { nullable: true, description: 'Replaces the roles.' })
  roles?: Role[] | null;
}

@ObjectType('AuthPayload', { description: '登录结果 (auth payload)。' })
export class AuthPayload {
  @Field({ description: '访问令牌 (bearer token)：请求头 Authorization: Bearer <token>。' })
  token: string;

  @Field({ description: '令牌过期时间 (expires at)，过期后需重新登录。' })
  expiresAt: Date;

  @Field(() => UserType, { description: '登录的用户。' })
  user: UserType;

  @Field({ description: 'True when an administrator reset the password: call changePassword before anything else.' })
  mustChangePassword: boolean;
}

@InputType('CreateUserInput', { description: '新建用户 (create user) 的输入。' })
export class CreateUserInput {
  @Field({ description: '登录名：3–64 个字符，a-z 0-9 _ . -，以字母开头；不可重复。' })
  @Matches(/^[a-z][a-z0-9_.-]{2,63}$/, { message: 'username: 3–64 of a-z 0-9 _ . -, starting with a letter' })
  username: string;

  @Field({ description: '初始口令 (password)：至少 12 个字符。' })
  @MinLength(12, { message: 'password must be at least 12 characters' })
  password: string;

  @Field({ description: '显示名：1–100 个字符。' })
  @Length(1, 100)
  displayName: string;

  @Field(() => ID, { description: '所属单位 (department) 的全局编号：须在管理员的辖区内。' })
  departmentId: string;

  @Field(() => [RoleEnum], { description: '角色：至少一个。' })
  @ArrayNotEmpty({ message: 'roles must not be empty' })
  roles: Role[];
}
