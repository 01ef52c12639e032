import { ArrayNotEmpty, Length, Matches, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RoleEnum } from '../../graphql/enums';
import { Node } from '../../graphql/relay';
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

  static from(e: UserEntity): UserType {
    return Object.assign(new UserType(), {
      id: toGlobalId('User', e.id),
      dbId: e.id,
      username: e.username,
      displayName: e.displayName,
      roles: e.roles,
      departmentId: e.departmentId,
    });
  }
}

@ObjectType('AuthPayload', { description: '登录结果 (auth payload)。' })
export class AuthPayload {
  @Field({ description: '访问令牌 (bearer token)：请求头 Authorization: Bearer <token>。' })
  token: string;

  @Field({ description: '令牌过期时间 (expires at)，过期后需重新登录。' })
  expiresAt: Date;

  @Field(() => UserType, { description: '登录的用户。' })
  user: UserType;
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
