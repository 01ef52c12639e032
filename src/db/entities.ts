/** Every TypeORM entity, in one list (the data source and the schema-drift test read it). */
import { AuditEntryEntity } from '../domain/audit/audit.entity';
import { UserEntity } from '../domain/auth/user.entity';
import { DepartmentEntity } from '../domain/reference/department.entity';
import { InstitutionEntity } from '../domain/reference/institution.entity';
import { PersonRelationEntity } from '../domain/reference/person-relation.entity';
import { PersonEntity } from '../domain/reference/person.entity';
import { RegionEntity } from '../domain/reference/region.entity';

export const ENTITIES = [
  RegionEntity,
  DepartmentEntity,
  UserEntity,
  InstitutionEntity,
  PersonEntity,
  PersonRelationEntity,
  AuditEntryEntity,
];
