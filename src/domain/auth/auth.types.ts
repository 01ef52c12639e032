import { ArrayNotEmpty, Length, Matches, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DepartmentKindEnum, RoleEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import type { DepartmentKind } from '../reference/department.entity';
import { toGlobalId } from '../../core/ids';
import { Role, UserEntity } from './user.entity';

@ObjectType('User', { implements: Node })
export class UserType extends Node {
  readonly __typename = 'User';

  dbId: string;

  @Field()
  username: string;

  @Field()
  displayName: string;

  @Field(() => [RoleEnum])
  roles: Role[];

  departmentId: string;

  @Field({ description: 'False once an administrator deactivated the user (their tokens no longer work).' })
  active: boolean;

  @Field({ description: 'True after an administrator reset the password, until the user changes it.' })
  mustChangePassword: boolean;

  @Field()
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

@ObjectType('UserConnection')
export class UserConnection extends ConnectionType(UserType, 'User') {}

@InputType('UserFilter', { description: 'Filters of the users list (ADMINs, users of their jurisdiction).' })
export class UserFilter {
  @Field(() => ID, { nullable: true })
  departmentId?: string | null;

  @Field(() => DepartmentKindEnum, { nullable: true })
  departmentKind?: DepartmentKind | null;

  @Field(() => String, { nullable: true, description: 'Users of departments in this region and below.' })
  regionCode?: string | null;

  @Field(() => RoleEnum, { nullable: true, description: 'Users holding this role.' })
  role?: Role | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  mustChangePassword?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Text in the username or display name.' })
  search?: string | null;
}

@InputType('UpdateUserInput', { description: 'Absent fields are kept.' })
export class UpdateUserInput {
  @Field(() => ID)
  userId: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => ID, { nullable: true, description: 'Moves the user to this department (inside your jurisdiction).' })
  departmentId?: string | null;

  @Field(() => [RoleEnum], { nullable: true, description: 'Replaces the roles.' })
  roles?: Role[] | null;
}

@ObjectType('AuthPayload')
export class AuthPayload {
  @Field()
  token: string;

  @Field()
  expiresAt: Date;

  @Field(() => UserType)
  user: UserType;

  @Field({ description: 'True when an administrator reset the password: call changePassword before anything else.' })
  mustChangePassword: boolean;
}

@InputType('CreateUserInput')
export class CreateUserInput {
  @Field()
  @Matches(/^[a-z][a-z0-9_.-]{2,63}$/, { message: 'username: 3–64 of a-z 0-9 _ . -, starting with a letter' })
  username: string;

  @Field()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  password: string;

  @Field()
  @Length(1, 100)
  displayName: string;

  @Field(() => ID)
  departmentId: string;

  @Field(() => [RoleEnum])
  @ArrayNotEmpty({ message: 'roles must not be empty' })
  roles: Role[];
}
