import { ArrayNotEmpty, Length, Matches, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RoleEnum } from '../../graphql/enums';
import { Node } from '../../graphql/relay';
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

@ObjectType('AuthPayload')
export class AuthPayload {
  @Field()
  token: string;

  @Field()
  expiresAt: Date;

  @Field(() => UserType)
  user: UserType;
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
