/**
 * Fixed reference content of the synthetic batch: regions of 陕西省 (real GB/T 2260 codes),
 * the price catalog (医疗服务价格与限量目录) with its city overrides, diagnoses and names.
 */

export type ItemKind = 'DRUG' | 'EXAM' | 'LAB' | 'TREATMENT' | 'MATERIAL' | 'BED' | 'OTHER';
export type VisitType = 'OUTPATIENT' | 'INPATIENT' | 'PHARMACY';
export type InstitutionKind = 'HOSPITAL' | 'CLINIC' | 'VILLAGE_CLINIC' | 'PHARMACY';
export type InstitutionLevel = 'TERTIARY' | 'SECONDARY' | 'PRIMARY' | 'NONE';

export const PROVINCE = { code: '610000', name: '陕西省' } as const;

export interface CityDefinition {
  code: string;
  name: string;
  counties: readonly (readonly [code: string, name: string])[];
  /** Share of the province's residents. */
  residentWeight: number;
  /**
   * False for the city kept free of background institutions, so that the planted
   * 次均费用异常 peer groups there have exactly the members the planted cases give them.
   */
  hasBackgroundInstitutions: boolean;
}

export const CITIES: readonly CityDefinition[] = [
  {
    code: '610100',
    name: '西安市',
    counties: [
      ['610102', '新城区'],
      ['610103', '碑林区'],
      ['610113', '雁塔区'],
      ['610122', '蓝田县'],
    ],
    residentWeight: 40,
    hasBackgroundInstitutions: true,
  },
  {
    code: '610300',
    name: '宝鸡市',
    counties: [
      ['610302', '渭滨区'],
      ['610303', '金台区'],
      ['610304', '陈仓区'],
      ['610323', '岐山县'],
    ],
    residentWeight: 20,
    hasBackgroundInstitutions: true,
  },
  {
    code: '610400',
    name: '咸阳市',
    counties: [
      ['610402', '秦都区'],
      ['610404', '渭城区'],
      ['610422', '三原县'],
      ['610481', '兴平市'],
    ],
    residentWeight: 20,
    hasBackgroundInstitutions: true,
  },
  {
    code: '611000',
    name: '商洛市',
    counties: [
      ['611002', '商州区'],
      ['611021', '洛南县'],
      ['611022', '丹凤县'],
      ['611024', '山阳县'],
    ],
    residentWeight: 10,
    hasBackgroundInstitutions: true,
  },
  {
    code: '610500',
    name: '渭南市',
    counties: [
      ['610502', '临渭区'],
      ['610503', '华州区'],
      ['610522', '潼关县'],
    ],
    residentWeight: 10,
    hasBackgroundInstitutions: false,
  },
];

/** One item of the catalog with its province row; prices in fen, quantities whole units. */
export interface CatalogItem {
  code: string;
  kind: ItemKind;
  name: string;
  /** What an institution normally charges when the item has no cap. */
  listPriceFen: number;
  maxUnitPriceFen: number | null;
  maxDailyQuantity: number | null;
  maxMonthlyQuantity: number | null;
  includes: readonly string[];
  /** Where background data uses the item. */
  usedIn: readonly VisitType[];
}

/** A city row: a complete row of its own, overriding the province row for that city. */
export interface CityOverride {
  itemCode: string;
  cityCode: string;
  maxUnitPriceFen: number | null;
  maxDailyQuantity: number | null;
  maxMonthlyQuantity: number | null;
  includes: readonly string[];
}

const O: readonly VisitType[] = ['OUTPATIENT'];
const I: readonly VisitType[] = ['INPATIENT'];
const OI: readonly VisitType[] = ['OUTPATIENT', 'INPATIENT'];
const OP: readonly VisitType[] = ['OUTPATIENT', 'PHARMACY'];
const OPI: readonly VisitType[] = ['OUTPATIENT', 'PHARMACY', 'INPATIENT'];

function item(
  code: string,
  kind: ItemKind,
  name: string,
  priceFen: number,
  limits: { cap?: 'none'; daily?: number; monthly?: number; includes?: string[] },
  usedIn: readonly VisitType[],
): CatalogItem {
  return {
    code,
    kind,
    name,
    listPriceFen: priceFen,
    maxUnitPriceFen: limits.cap === 'none' ? null : priceFen,
    maxDailyQuantity: limits.daily ?? null,
    maxMonthlyQuantity: limits.monthly ?? null,
    includes: limits.includes ?? [],
    usedIn,
  };
}

/** Item codes the planted cases refer to by name. */
export const ITEM = {
  metformin: 'XA10BAE001',
  amoxicillin: 'XJ01CAA001',
  ibuprofen: 'XM01AEB001',
  loratadine: 'XR06AXL001',
  smectite: 'XA07BCM001',
  aspirin: 'XB01ACA001',
  ceftriaxoneInjection: 'XJ01DDT001',
  salineInjection: 'XB05XAS001',
  ctPlain: '210300001',
  mriPlain: '210400001',
  ultrasound: '220201001',
  bloodCount: '250101015',
  glucose: '250302001',
  liverPanel: '250305100',
  alt: '250305001',
  ast: '250305002',
  bilirubin: '250305003',
  kidneyPanel: '250307100',
  creatinine: '250307001',
  urea: '250307002',
  nursing: '120100002',
  infusion: '120400006',
  acupuncture: '410000001',
  massage: '450000010',
  outpatientTreatment: '310000001',
  consultation: '111000001',
  catheter: 'C02010200',
  bedWard: '110900001',
} as const;

export const CATALOG_ITEMS: readonly CatalogItem[] = [
  item(ITEM.metformin, 'DRUG', '二甲双胍缓释片', 2850, { monthly: 6 }, OPI),
  item('XA10BFA001', 'DRUG', '阿卡波糖片', 4200, { monthly: 6 }, OP),
  item('XC08CAA001', 'DRUG', '苯磺酸氨氯地平片', 1860, { monthly: 6 }, OPI),
  item('XC08CAN001', 'DRUG', '硝苯地平控释片', 3360, { monthly: 6 }, OP),
  item('XC09CAV001', 'DRUG', '缬沙坦胶囊', 3120, { monthly: 6 }, OP),
  item('XC09CAI001', 'DRUG', '厄贝沙坦片', 2890, { monthly: 6 }, OP),
  item('XC10AAA001', 'DRUG', '阿托伐他汀钙片', 2580, { monthly: 4 }, OPI),
  item('XC10AAR001', 'DRUG', '瑞舒伐他汀钙片', 3480, { monthly: 4 }, OP),
  item(ITEM.aspirin, 'DRUG', '阿司匹林肠溶片', 1550, {}, OPI),
  item('XB01ACC001', 'DRUG', '硫酸氢氯吡格雷片', 9800, { monthly: 3 }, OPI),
  item('XA02BCO001', 'DRUG', '奥美拉唑肠溶胶囊', 2240, {}, OPI),
  item('XJ01DCF001', 'DRUG', '头孢呋辛酯片', 3560, {}, OP),
  item(ITEM.amoxicillin, 'DRUG', '阿莫西林胶囊', 1280, {}, OP),
  item('XJ01MAL001', 'DRUG', '左氧氟沙星片', 2460, {}, OP),
  item(ITEM.ibuprofen, 'DRUG', '布洛芬缓释胶囊', 1650, {}, OP),
  item('XR05DAG001', 'DRUG', '复方甘草片', 890, {}, OP),
  item(ITEM.loratadine, 'DRUG', '氯雷他定片', 1930, {}, OP),
  item(ITEM.smectite, 'DRUG', '蒙脱石散', 1520, {}, OP),
  item('XZA01LH001', 'DRUG', '连花清瘟胶囊', 1480, {}, OP),
  item('XA11DBM001', 'DRUG', '甲钴胺片', 2050, {}, OP),
  item('XA10AEG001', 'DRUG', '甘精胰岛素注射液', 18900, { monthly: 3 }, ['PHARMACY']),
  item(ITEM.salineInjection, 'DRUG', '0.9%氯化钠注射液', 450, {}, I),
  item(ITEM.ceftriaxoneInjection, 'DRUG', '注射用头孢曲松钠', 1280, {}, I),
  item('XA02BCI001', 'DRUG', '注射用奥美拉唑钠', 2650, {}, I),
  item(ITEM.ctPlain, 'EXAM', 'X线计算机体层(CT)平扫', 17000, {}, OI),
  item('210300002', 'EXAM', 'X线计算机体层(CT)增强扫描', 30000, {}, I),
  item(ITEM.mriPlain, 'EXAM', '磁共振平扫', 45000, {}, I),
  item(ITEM.ultrasound, 'EXAM', '彩色多普勒超声常规检查', 12000, {}, OI),
  item('210102015', 'EXAM', '数字化X线摄影(DR)', 8000, {}, OI),
  item(ITEM.bloodCount, 'LAB', '血细胞分析', 2000, {}, OI),
  item('250102001', 'LAB', '尿常规检查', 1000, {}, OI),
  item(ITEM.glucose, 'LAB', '葡萄糖测定', 600, {}, OI),
  item(ITEM.alt, 'LAB', '丙氨酸氨基转移酶测定', 500, {}, OI),
  item(ITEM.ast, 'LAB', '天门冬氨酸氨基转移酶测定', 500, {}, OI),
  item(ITEM.bilirubin, 'LAB', '总胆红素测定', 500, {}, OI),
  item(ITEM.liverPanel, 'LAB', '肝功能组合', 4500, { includes: [ITEM.alt, ITEM.ast, ITEM.bilirubin] }, OI),
  item(ITEM.creatinine, 'LAB', '肌酐测定', 600, {}, OI),
  item(ITEM.urea, 'LAB', '尿素测定', 600, {}, OI),
  item(ITEM.kidneyPanel, 'LAB', '肾功能组合', 2500, { includes: [ITEM.creatinine, ITEM.urea] }, OI),
  item(ITEM.nursing, 'TREATMENT', 'Ⅰ级护理', 2800, { daily: 1 }, I),
  item(ITEM.infusion, 'TREATMENT', '静脉输液', 800, { daily: 3 }, OI),
  item('120400001', 'TREATMENT', '肌肉注射', 300, { daily: 4 }, O),
  item(ITEM.acupuncture, 'TREATMENT', '普通针刺', 1800, { daily: 2 }, O),
  item(ITEM.massage, 'TREATMENT', '推拿治疗', 3000, { daily: 1 }, O),
  item('120500001', 'TREATMENT', '换药', 1500, {}, OI),
  item(ITEM.outpatientTreatment, 'TREATMENT', '门诊综合治疗', 5000, { cap: 'none' }, O),
  item('C14020100', 'MATERIAL', '一次性使用输液器', 350, {}, I),
  item(ITEM.catheter, 'MATERIAL', '一次性使用导尿管', 4500, { cap: 'none' }, I),
  item(ITEM.bedWard, 'BED', '普通病房床位费(三人间)', 2500, { daily: 1 }, I),
  item('110900002', 'BED', '普通病房床位费(双人间)', 3500, { daily: 1 }, I),
  item(ITEM.consultation, 'OTHER', '普通门诊诊查费', 600, {}, O),
];

function override(
  itemCode: string,
  cityCode: string,
  changes: Partial<Omit<CityOverride, 'itemCode' | 'cityCode'>>,
): CityOverride {
  const province = CATALOG_ITEMS.find((candidate) => candidate.code === itemCode);
  if (!province) throw new Error(`override of unknown item ${itemCode}`);
  return {
    itemCode,
    cityCode,
    maxUnitPriceFen: province.maxUnitPriceFen,
    maxDailyQuantity: province.maxDailyQuantity,
    maxMonthlyQuantity: province.maxMonthlyQuantity,
    includes: province.includes,
    ...changes,
  };
}

/** City rows. Each one is there because a planted case or trap depends on it (see planted.ts). */
export const CITY_OVERRIDES: readonly CityOverride[] = [
  // CT: 西安 raises the cap, 宝鸡 lowers it.
  override(ITEM.ctPlain, '610100', { maxUnitPriceFen: 18000 }),
  override(ITEM.ctPlain, '610300', { maxUnitPriceFen: 15000 }),
  // 针刺: 宝鸡 allows one a day where the province allows two.
  override(ITEM.acupuncture, '610300', { maxDailyQuantity: 1, maxUnitPriceFen: 1600 }),
  // 推拿: 咸阳 allows three a day where the province allows one.
  override(ITEM.massage, '610400', { maxDailyQuantity: 3 }),
  // 二甲双胍: 商洛 allows three boxes a month where the province allows six.
  override(ITEM.metformin, '611000', { maxMonthlyQuantity: 3 }),
  // 肾功能组合: in 宝鸡 it also includes the glucose test.
  override(ITEM.kidneyPanel, '610300', { includes: [ITEM.creatinine, ITEM.urea, ITEM.glucose] }),
  // 肝功能组合: in 咸阳 the ALT test is billed separately.
  override(ITEM.liverPanel, '610400', { includes: [ITEM.ast, ITEM.bilirubin] }),
  // 床位费 is cheaper in 商洛.
  override(ITEM.bedWard, '611000', { maxUnitPriceFen: 2000 }),
  override('110900002', '611000', { maxUnitPriceFen: 3000 }),
  // Same limits restated by a city: must behave like the province row.
  override(ITEM.infusion, '610100', {}),
];

export interface DiagnosisDefinition {
  code: string;
  dipGroup: string;
}

/** Outpatient diagnoses (ICD-10). */
export const OUTPATIENT_DIAGNOSES: readonly string[] = [
  'J06.9',
  'J20.9',
  'J02.9',
  'I10.x',
  'E11.9',
  'K29.7',
  'M54.5',
  'R51.x',
  'L30.9',
  'K52.9',
  'N39.0',
  'H10.9',
  'M17.9',
  'E78.5',
  'J30.4',
  'B34.9',
  'R10.4',
  'I25.1',
];

/** Inpatient diagnoses with their DIP 病种分组 code. */
export const INPATIENT_DIAGNOSES: readonly DiagnosisDefinition[] = [
  { code: 'J18.9', dipGroup: 'DIP-J18-01' },
  { code: 'J44.1', dipGroup: 'DIP-J44-01' },
  { code: 'I63.9', dipGroup: 'DIP-I63-02' },
  { code: 'I21.4', dipGroup: 'DIP-I21-01' },
  { code: 'I50.9', dipGroup: 'DIP-I50-01' },
  { code: 'E11.6', dipGroup: 'DIP-E11-03' },
  { code: 'K80.1', dipGroup: 'DIP-K80-01' },
  { code: 'K35.8', dipGroup: 'DIP-K35-02' },
  { code: 'S72.0', dipGroup: 'DIP-S72-01' },
  { code: 'N20.0', dipGroup: 'DIP-N20-01' },
  { code: 'C34.9', dipGroup: 'DIP-C34-04' },
  { code: 'O80.0', dipGroup: 'DIP-O80-01' },
  { code: 'M51.2', dipGroup: 'DIP-M51-01' },
  { code: 'I61.0', dipGroup: 'DIP-I61-01' },
  { code: 'N18.5', dipGroup: 'DIP-N18-02' },
  { code: 'K92.2', dipGroup: 'DIP-K92-01' },
  { code: 'A16.2', dipGroup: 'DIP-A16-01' },
  { code: 'H25.9', dipGroup: 'DIP-H25-01' },
  { code: 'J15.9', dipGroup: 'DIP-J15-01' },
  { code: 'G45.9', dipGroup: 'DIP-G45-01' },
];

export const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文'.split(
    '',
  );
export const GIVEN_NAME_CHARACTERS =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强秀珍海燕玉兰红梅文博子涵浩然欣怡宇轩梓萱雨泽思远晓东春生秋菊立新卫东永红小龙'.split(
    '',
  );
export const TOWN_NAMES = [
  '城关',
  '东关',
  '西关',
  '北关',
  '南街',
  '新街',
  '柳林',
  '杨村',
  '高庄',
  '河口',
  '马家',
  '李家',
];
export const PHARMACY_BRANDS = ['怡康', '广济堂', '众信', '老百姓', '益丰', '国大', '仁和', '万生'];
