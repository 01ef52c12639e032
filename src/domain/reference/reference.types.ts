import { Field, ObjectType } from 'type-graphql';
import { DepartmentKindEnum, InstitutionKindEnum, RegionLevelEnum } from '../../graphql/enums';
import { Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { DepartmentEntity, DepartmentKind } from './department.entity';
import { InstitutionEntity, InstitutionKind } from './institution.entity';
import { PersonEntity } from './person.entity';
import { RegionLevel } from '../../core/regions';
import { RegionEntity } from './region.entity';

@ObjectType('Region', { description: '行政区划' })
export class RegionType {
  @Field()
  code: string;

  @Field()
  name: string;

  @Field(() => RegionLevelEnum)
  level: RegionLevel;

  parentCode: string | null;

  static from(e: RegionEntity): RegionType {
    return Object.assign(new RegionType(), { code: e.code, name: e.name, level: e.level, parentCode: e.parentCode });
  }
}

@ObjectType('Department', { implements: Node })
export class DepartmentType extends Node {
  readonly __typename = 'Department';

  dbId: string;

  @Field(() => DepartmentKindEnum)
  kind: DepartmentKind;

  @Field()
  name: string;

  regionCode: string;

  static from(e: DepartmentEntity): DepartmentType {
    return Object.assign(new DepartmentType(), {
      id: toGlobalId('Department', e.id),
      dbId: e.id,
      kind: e.kind,
      name: e.name,
      regionCode: e.regionCode,
    });
  }
}

@ObjectType('Institution', { implements: Node, description: '定点医药机构' })
export class InstitutionType extends Node {
  readonly __typename = 'Institution';

  @Field()
  code: string;

  @Field()
  name: string;

  @Field(() => InstitutionKindEnum)
  kind: InstitutionKind;

  @Field({ description: 'TERTIARY, SECONDARY, PRIMARY or NONE' })
  level: string;

  @Field({ description: 'PUBLIC or PRIVATE' })
  ownership: string;

  regionCode: string;

  static from(e: InstitutionEntity): InstitutionType {
    return Object.assign(new InstitutionType(), {
      id: toGlobalId('Institution', e.code),
      code: e.code,
      name: e.name,
      kind: e.kind,
      level: e.level,
      ownership: e.ownership,
      regionCode: e.regionCode,
    });
  }
}

@ObjectType('Person', { implements: Node, description: '自然人 (参保人, 医务人员, 公职人员)' })
export class PersonType extends Node {
  readonly __typename = 'Person';

  @Field()
  personId: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true, description: 'Always masked, e.g. 610302********1234.' })
  maskedIdNumber: string | null;

  @Field(() => String, { nullable: true, description: 'Masked bank account, e.g. 6222***********1234.' })
  maskedBankAccount: string | null;

  @Field()
  isPublicOfficial: boolean;

  @Field(() => String, { nullable: true, description: 'Date of death, when recorded.' })
  deathDate: string | null;

  regionCode: string | null;

  static from(e: PersonEntity): PersonType {
    return Object.assign(new PersonType(), {
      id: toGlobalId('Person', e.personId),
      personId: e.personId,
      name: e.name,
      maskedIdNumber: e.idNumberMasked,
      maskedBankAccount: e.bankAccountMasked,
      isPublicOfficial: e.isPublicOfficial,
      deathDate: e.deathDate,
      regionCode: e.regionCode,
    });
  }
}
