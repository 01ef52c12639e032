import { Field, ObjectType } from 'type-graphql';
import { DepartmentKindEnum, InstitutionKindEnum, RegionLevelEnum } from '../../graphql/enums';
import { Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { DepartmentEntity, DepartmentKind } from './department.entity';
import { InstitutionEntity, InstitutionKind } from './institution.entity';
import { PersonEntity } from './person.entity';
import { RegionLevel } from '../../core/regions';
import { RegionEntity } from './region.entity';

@ObjectType('Region', { description: '行政区划 (region)：省、市、县(区)。' })
export class RegionType {
  @Field({ description: '行政区划代码 (region code)，6 位，如 610302。' })
  code: string;

  @Field({ description: '名称，如 渭滨区。' })
  name: string;

  @Field(() => RegionLevelEnum, { description: '级别 (level)。' })
  level: RegionLevel;

  parentCode: string | null;

  static from(e: RegionEntity): RegionType {
    return Object.assign(new RegionType(), { code: e.code, name: e.name, level: e.level, parentCode: e.parentCode });
  }
}

@ObjectType('Department', {
  implements: Node,
  description: '单位 (department)：某一行政区划的医保局、卫健委、公安局或纪委监委。',
})
export class DepartmentType extends Node {
  readonly __typename = 'Department';

  dbId: string;

  @Field(() => DepartmentKindEnum, { description: '单位类型 (kind)。' })
  kind: DepartmentKind;

  @Field({ description: '单位名称。' })
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

@ObjectType('Institution', {
  implements: Node,
  description: '定点医药机构 (designated institution)：医院、诊所、村卫生室、定点药店。',
})
export class InstitutionType extends Node {
  readonly __typename = 'Institution';

  @Field({ description: '机构编码 (institution code)：定点医药机构的医保编码。' })
  code: string;

  @Field({ description: '机构名称。' })
  name: string;

  @Field(() => InstitutionKindEnum, { description: '机构类型 (kind)。' })
  kind: InstitutionKind;

  @Field({
    description:
      '医院等级 (level)：TERTIARY 三级、SECONDARY 二级、PRIMARY 一级或 NONE 无。TERTIARY, SECONDARY, PRIMARY or NONE',
  })
  level: string;

  @Field({ description: '所有制 (ownership)：PUBLIC 公立或 PRIVATE 民营。PUBLIC or PRIVATE' })
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

  @Field({ description: '人员编号 (person id)：医保个人编号，不是身份证号。' })
  personId: string;

  @Field({ description: '姓名。' })
  name: string;

  @Field(() => String, {
    nullable: true,
    description: '脱敏身份证号 (masked ID number)，总是脱敏。Always masked, e.g. 610302********1234.',
  })
  maskedIdNumber: string | null;

  @Field(() => String, { nullable: true, description: '脱敏银行账号。Masked bank account, e.g. 6222***********1234.' })
  maskedBankAccount: string | null;

  @Field({ description: '是否公职人员 (public official)。' })
  isPublicOfficial: boolean;

  @Field(() => String, {
    nullable: true,
    description: '死亡日期 (YYYY-MM-DD)，有记录时。Date of death, when recorded.',
  })
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
