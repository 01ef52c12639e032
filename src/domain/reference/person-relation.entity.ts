import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PersonEntity } from './person.entity';

export type PersonRelationKind = 'RELATIVE' | 'SPOUSE' | 'SHARED_PHONE' | 'COLLEAGUE';

/** 人员关系 (亲属, 配偶, 同一手机号, 同事): edges of the case graph. */
@Entity('person_relation')
@Index(['personB'])
export class PersonRelationEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  personA: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  personB: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind: PersonRelationKind;

  // References checked by the loader, not by a trigger per row (migration 1763900500000).
  @ManyToOne(() => PersonEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'person_a' })
  a?: PersonEntity;

  @ManyToOne(() => PersonEntity, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'person_b' })
  b?: PersonEntity;
}
