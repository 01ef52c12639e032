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

  // Checked by the loader, not by a trigger per row (migration 1763900500000).
  @ManyToOne(() => RegionEntity, { nullable: true, createForeignKeyConstraints: false })
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

  // Integrity of the decrypted value, and personByIdNumber's lookup: a hash index (4-byte codes,
  // O(1) per insert and lookup; migration 1763902200001), which TypeORM cannot declare itself.
  @Index('person_id_number_hash_idx', { synchronize: false })
  @Column({ type: 'bytea', nullable: true })
  idNumberHash: Buffer | null;

  @Column({ type: 'varchar', length: 18, nullable: true })
  idNumberMasked: string | null;

  @Column({ type: 'bytea', nullable: true, select: false })
  bankAccountEnc: Buffer | null;

  // Looked up only among public officials (INSIDER_PAYEE: a payee account that is an official's).
  @Index('person_official_bank_account_idx', { where: 'is_public_official' })
  @Column({ type: 'bytea', nullable: true })
  bankAccountHash: Buffer | null;

  @Column({ type: 'varchar', length: 19, nullable: true })
  bankAccountMasked: string | null;
}
