import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

export type RegionLevel = 'PROVINCE' | 'CITY' | 'COUNTY';
export const REGION_LEVELS: readonly RegionLevel[] = ['PROVINCE', 'CITY', 'COUNTY'];

/** 行政区划 (GB/T 2260). A region's jurisdiction is itself and everything below it. */
@Entity('region')
export class RegionEntity {
  @PrimaryColumn({ type: 'varchar', length: 6 })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'varchar', length: 8 })
  level: RegionLevel;

  @Index()
  @Column({ type: 'varchar', length: 6, nullable: true })
  parentCode: string | null;

  @ManyToOne(() => RegionEntity, { nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_code' })
  parent?: RegionEntity | null;
}

/**
 * Region codes covered by a region's jurisdiction, as a SQL LIKE prefix:
 * a province 610000 covers 61____, a city 610300 covers 6103__, a county only itself.
 */
export function jurisdictionPrefix(code: string, level: RegionLevel): string {
  if (level === 'PROVINCE') return code.slice(0, 2);
  if (level === 'CITY') return code.slice(0, 4);
  return code;
}

/** True when `code` lies in the jurisdiction of (`rootCode`, `rootLevel`). */
export function inJurisdiction(code: string, rootCode: string, rootLevel: RegionLevel): boolean {
  return code.startsWith(jurisdictionPrefix(rootCode, rootLevel));
}
