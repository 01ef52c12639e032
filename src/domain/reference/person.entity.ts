import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { RegionEntity } from './region.entity';

/**
 * 自然人: insured persons, doctors, officials. The resident ID number and the bank account
 * are personal data: kept encrypted (`*_enc`), searchable by keyed hash (`*_hash`) and
 * shown masked (`*_masked`); see personal-data.ts.
 */
@Entity('person')
export class PersonEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  personId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'varchar', length: 1, nullable: true })
  gender: string | null;

  @Column({ type: 'date', nullable: true })
  birthDate: string | null;

  @Index()
  @Column({ type: 'varchar', length: 6, nullable: true })
  regionCode: string | null;

  @ManyToOne(() => RegionEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'region_code' })
  region?: RegionEntity | null;

  @Column({ type: 'date', nullable: true })
  deathDate: string | null;

  @Column({ type: 'boolean', default: false })
  isPublicOfficial: boolean;

  @Column({ type: 'varchar', length: 32, nullable: true })
  employerCode: string | null;

  @Column({ type: 'bytea', nullable: true, select: false })
  idNumberEnc: Buffer | null;

  @Index()
  @Column({ type: 'bytea', nullable: true })
  idNumberHash: Buffer | null;

  @Column({ type: 'varchar', length: 18, nullable: true })
  idNumberMasked: string | null;

  @Column({ type: 'bytea', nullable: true, select: false })
  bankAccountEnc: Buffer | null;

  @Index()
  @Column({ type: 'bytea', nullable: true })
  bankAccountHash: Buffer | null;

  @Column({ type: 'varchar', length: 19, nullable: true })
  bankAccountMasked: string | null;
}
