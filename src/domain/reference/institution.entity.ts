import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

export type InstitutionKind = 'HOSPITAL' | 'CLINIC' | 'VILLAGE_CLINIC' | 'PHARMACY';

/** 定点医药机构, keyed by its 医保定点编码. */
@Entity('institution')
export class InstitutionEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  kind: InstitutionKind;

  @Column({ type: 'varchar', length: 12 })
  level: string;

  @Column({ type: 'varchar', length: 8 })
  ownership: string;

  @Index()
  @Column({ type: 'varchar', length: 6 })
  regionCode: string;

  @ManyToOne(() => RegionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'region_code' })
  region?: RegionEntity;
}
