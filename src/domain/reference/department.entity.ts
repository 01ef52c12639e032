import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { RegionEntity } from './region.entity';

export type DepartmentKind = 'MEDICAL_INSURANCE' | 'HEALTH' | 'PUBLIC_SECURITY' | 'DISCIPLINE';
export const DEPARTMENT_KINDS: readonly DepartmentKind[] = [
  'MEDICAL_INSURANCE',
  'HEALTH',
  'PUBLIC_SECURITY',
  'DISCIPLINE',
];

/** One department per (kind, region), e.g. 宝鸡市医保局 = (MEDICAL_INSURANCE, 610300). */
@Entity('department')
@Unique('uq_department_kind_region', ['kind', 'regionCode'])
export class DepartmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 24 })
  kind: DepartmentKind;

  @Column({ type: 'varchar', length: 6 })
  regionCode: string;

  @ManyToOne(() => RegionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'region_code' })
  region?: RegionEntity;

  @Column({ type: 'text' })
  name: string;
}
