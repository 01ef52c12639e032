import { RegionLevel } from '../../core/regions';

/**
 * The regions the demo and the tests start from: 陕西省, four of its cities and two
 * counties each (GB/T 2260). Ingested regions.csv rows extend this.
 */
export const SEED_REGIONS: { code: string; name: string; level: RegionLevel; parentCode: string | null }[] = [
  { code: '610000', name: '陕西省', level: 'PROVINCE', parentCode: null },
  { code: '610100', name: '西安市', level: 'CITY', parentCode: '610000' },
  { code: '610102', name: '新城区', level: 'COUNTY', parentCode: '610100' },
  { code: '610104', name: '莲湖区', level: 'COUNTY', parentCode: '610100' },
  { code: '610300', name: '宝鸡市', level: 'CITY', parentCode: '610000' },
  { code: '610302', name: '渭滨区', level: 'COUNTY', parentCode: '610300' },
  { code: '610303', name: '金台区', level: 'COUNTY', parentCode: '610300' },
  { code: '610400', name: '咸阳市', level: 'CITY', parentCode: '610000' },
  { code: '610402', name: '秦都区', level: 'COUNTY', parentCode: '610400' },
  { code: '610404', name: '渭城区', level: 'COUNTY', parentCode: '610400' },
  { code: '611000', name: '商洛市', level: 'CITY', parentCode: '610000' },
  { code: '611002', name: '商州区', level: 'COUNTY', parentCode: '611000' },
  { code: '611021', name: '洛南县', level: 'COUNTY', parentCode: '611000' },
];
