import { Batch, RuleRow } from './batch';
import { divideRoundHalfUp, formatFen, Fraction, parseMoneyFen, parseScaledDecimal, QUANTITY_SCALE } from './decimal';
import { daysBetween, resolveTimestamp } from './time';

/**
 * The oracle (标准答案): an independent, in-memory implementation of the 16 collision models
 * of MODELS.md, run over a batch's rows. It shares nothing with the SQL models, so the
 * collision tests can compare the two. Written for clarity over speed: fine up to scale 5.
 */

export const MODEL_CODES = [
  'DEATH_AFTER',
  'OVERLAPPING_INPATIENT',
  'BED_HANGING',
  'SPLIT_ADMISSION',
  'REPEAT_EXAM_IN_STAY',
  'DAILY_QUANTITY_EXCESS',
  'OVER_PRICE',
  'TRACE_CODE_REUSE',
  'EXCESS_DISPENSING',
  'LOW_STANDARD_ADMISSION',
  'PEER_OUTLIER',
  'PRESCRIPTION_SPLITTING',
  'GROUP_ADMISSION',
  'INVENTORY_MISMATCH',
  'INSIDER_PAYEE',
  'BUNDLED_ITEM_CHARGE',
  'RULE_SEX',
  'RULE_AGE',
  'RULE_VISIT_TYPE',
  'RULE_LEVEL',
  'RULE_DIAGNOSIS',
  'RULE_EXCLUSIVE',
  'RULE_FREQUENCY',
] as const;

export type ModelCode = (typeof MODEL_CODES)[number];

/** The bracketed defaults of MODELS.md; ratios and thresholds as decimal strings so they stay exact. */
export interface ModelParameters {
  BED_HANGING: { minLengthOfStay: number; activeDayRatio: string };
  SPLIT_ADMISSION: { maxGapDays: number };
  REPEAT_EXAM_IN_STAY: { maxQuantity: number };
  PEER_OUTLIER: { minSettlements: number; minPeers: number; threshold: string };
  PRESCRIPTION_SPLITTING: { minSettlements: number };
  GROUP_ADMISSION: { minPersons: number };
}

export const DEFAULT_MODEL_PARAMETERS: ModelParameters = {
  BED_HANGING: { minLengthOfStay: 3, activeDayRatio: '0.5' },
  SPLIT_ADMISSION: { maxGapDays: 15 },
  REPEAT_EXAM_IN_STAY: { maxQuantity: 2 },
  PEER_OUTLIER: { minSettlements: 30, minPeers: 5, threshold: '3.5' },
  PRESCRIPTION_SPLITTING: { minSettlements: 3 },
  GROUP_ADMISSION: { minPersons: 5 },
};

/** 1.4826 makes the MAD a consistent estimator of the standard deviation. */
const MAD_SCALE = Fraction.fromDecimal('1.4826');

/** One 疑点 as the collision tests compare it. */
export interface ExpectedHit {
  hitKey: string;
  amountInvolved: string;
  institutionCode: string;
  settlementIds: string[];
  personIds: string[];
}

export interface ExpectedHits {
  from: string;
  to: string;
  params: ModelParameters;
  hits: Record<ModelCode, ExpectedHit[]>;
}

/** Byte order of the UTF-8 encodings, which is code point order (JS `<` compares UTF-16 units). */
export function compareBytewise(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

interface Line {
  settlement: Settlement;
  lineNo: number;
  itemCode: string;
  kind: string;
  quantity: bigint;
  unitPriceFen: bigint;
  amountFen: bigint;
  chargedOn: string;
  traceCode: string;
}

interface Settlement {
  id: string;
  personId: string;
  institutionCode: string;
  visitType: string;
  admitDate: string;
  dischargeDate: string;
  epochMs: number;
  /** Date of settled_at in Asia/Shanghai. */
  date: string;
  /** First three characters of diagnosis_code; null when there is none (SQL NULL never matches). */
  dx3: string | null;
  diagnosisCode: string;
  fundFen: bigint;
  payeeAccount: string;
  lines: Line[];
}

interface CatalogRow {
  maxUnitPriceFen: bigint | null;
  maxDailyQuantity: bigint | null;
  maxMonthlyQuantity: bigint | null;
  includes: string[];
}

interface Facts {
  from: string;
  to: string;
  settlements: Settlement[];
  lines: Line[];
  persons: Map<
    string,
    {
      deathDate: string;
      regionCode: string;
      isPublicOfficial: boolean;
      bankAccount: string;
      gender: string;
      birthDate: string;
    }
  >;
  institutions: Map<string, { kind: string; regionCode: string; level: string }>;
  rules: RuleRow[];
  catalog: Map<string, CatalogRow>;
  purchases: { institutionCode: string; itemCode: string; quantity: bigint; purchasedOn: string }[];
}

function nullableDecimal(text: string): bigint | null {
  return text === '' ? null : parseScaledDecimal(text);
}

function readFacts(batch: Batch, from: string, to: string): Facts {
  const byId = new Map<string, Settlement>();
  const settlements: Settlement[] = [];
  for (const row of batch.settlements) {
    const settledAt = resolveTimestamp(row.settled_at);
    const settlement: Settlement = {
      id: row.settlement_id,
      personId: row.person_id,
      institutionCode: row.institution_code,
      visitType: row.visit_type,
      admitDate: row.admit_date,
      dischargeDate: row.discharge_date,
      epochMs: settledAt.epochMs,
      date: settledAt.shanghaiDate,
      dx3: row.diagnosis_code === '' ? null : row.diagnosis_code.slice(0, 3),
      diagnosisCode: row.diagnosis_code,
      fundFen: parseMoneyFen(row.fund_amount),
      payeeAccount: row.payee_account,
      lines: [],
    };
    byId.set(settlement.id, settlement);
    settlements.push(settlement);
  }
  const lines: Line[] = [];
  for (const row of batch.settlementItems) {
    const settlement = byId.get(row.settlement_id);
    if (!settlement) continue;
    const line: Line = {
      settlement,
      lineNo: Number(row.line_no),
      itemCode: row.item_code,
      kind: row.item_kind,
      quantity: parseScaledDecimal(row.quantity),
      unitPriceFen: parseMoneyFen(row.unit_price),
      amountFen: parseMoneyFen(row.amount),
      chargedOn: row.charged_on,
      traceCode: row.trace_code,
    };
    settlement.lines.push(line);
    lines.push(line);
  }
  const catalog = new Map<string, CatalogRow>();
  for (const row of batch.priceCatalog) {
    catalog.set(`${row.item_code}|${row.region_code}`, {
      maxUnitPriceFen: row.max_unit_price === '' ? null : parseMoneyFen(row.max_unit_price),
      maxDailyQuantity: nullableDecimal(row.max_daily_quantity),
      maxMonthlyQuantity: nullableDecimal(row.max_monthly_quantity),
      includes: row.includes === '' ? [] : row.includes.split('|'),
    });
  }
  return {
    from,
    to,
    settlements,
    lines,
    persons: new Map(
      batch.persons.map((p) => [
        p.person_id,
        {
          deathDate: p.death_date,
          regionCode: p.region_code,
          isPublicOfficial: p.is_public_official === 'true',
          bankAccount: p.bank_account,
          gender: p.gender,
          birthDate: p.birth_date,
        },
      ]),
    ),
    institutions: new Map(
      batch.institutions.map((i) => [i.code, { kind: i.kind, regionCode: i.region_code, level: i.level }]),
    ),
    rules: batch.rules,
    catalog,
    purchases: batch.drugPurchases.map((p) => ({
      institutionCode: p.institution_code,
      itemCode: p.item_code,
      quantity: parseScaledDecimal(p.quantity),
      purchasedOn: p.purchased_on,
    })),
  };
}

/** The city row (R[0..4]+"00") if there is one, else the province row (R[0..2]+"0000"). */
function effectiveRow(facts: Facts, itemCode: string, regionCode: string | undefined): CatalogRow | undefined {
  if (!regionCode) return undefined;
  return (
    facts.catalog.get(`${itemCode}|${regionCode.slice(0, 4)}00`) ??
    facts.catalog.get(`${itemCode}|${regionCode.slice(0, 2)}0000`)
  );
}

function institutionRow(facts: Facts, itemCode: string, settlement: Settlement): CatalogRow | undefined {
  return effectiveRow(facts, itemCode, facts.institutions.get(settlement.institutionCode)?.regionCode);
}

/** Σamount / Σquantity × excess, rounded half-up to the fen only at the end. */
function averagePriceTimes(amountFen: bigint, quantity: bigint, excess: bigint): bigint {
  return divideRoundHalfUp(amountFen * excess, quantity);
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

function hit(
  hitKey: string,
  amountFen: bigint,
  institutionCode: string,
  settlements: Iterable<Settlement>,
  extraPersonIds: string[] = [],
): ExpectedHit {
  const settlementIds = new Set<string>();
  const personIds = new Set<string>(extraPersonIds);
  for (const s of settlements) {
    settlementIds.add(s.id);
    personIds.add(s.personId);
  }
  return {
    hitKey,
    amountInvolved: formatFen(amountFen),
    institutionCode,
    settlementIds: [...settlementIds].sort(compareBytewise),
    personIds: [...personIds].sort(compareBytewise),
  };
}

function latest(settlements: Settlement[]): Settlement {
  return [...settlements].sort(bySettledAt).at(-1)!;
}

function bySettledAt(a: Settlement, b: Settlement): number {
  return a.epochMs - b.epochMs || compareBytewise(a.id, b.id);
}

type Model = (facts: Facts, params: ModelParameters) => ExpectedHit[];

const inWindow = (facts: Facts, date: string): boolean => date >= facts.from && date <= facts.to;
/** Settlements whose date is in the window: the anchors of the per-settlement models. */
const anchored = (facts: Facts): Settlement[] => facts.settlements.filter((s) => inWindow(facts, s.date));
/** Evidence may predate the window but never postdate it. */
const upToWindowEnd = (facts: Facts): Settlement[] => facts.settlements.filter((s) => s.date <= facts.to);
const isInpatient = (s: Settlement): boolean =>
  s.visitType === 'INPATIENT' && s.admitDate !== '' && s.dischargeDate !== '';
const lengthOfStay = (s: Settlement): number => daysBetween(s.admitDate, s.dischargeDate);

// ---------- the rule library (RULES.md) ----------

/** The jurisdiction prefix of a region code by its form: province 2 digits, city 4, county 6. */
const jurisdictionOf = (code: string): string =>
  code.endsWith('0000') ? code.slice(0, 2) : code.endsWith('00') ? code.slice(0, 4) : code;

/** Full years from birth to day, as PostgreSQL's age() counts them (29 Feb: the year is full on 1 March). */
function fullYears(birth: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birth.slice(0, 4));
  return day.slice(5) < birth.slice(5) ? years - 1 : years;
}

const LEVEL_RANK: Record<string, number> = { NONE: 0, PRIMARY: 1, SECONDARY: 2, TERTIARY: 3 };

/** Every (rule of the class, line it applies to): same item, institution in its jurisdiction, charged while effective. */
function ruleLines(facts: Facts, ruleClass: string, lines: Line[]): { rule: RuleRow; line: Line }[] {
  const byItem = groupBy(
    facts.rules.filter((r) => r.rule_class === ruleClass),
    (r) => r.item_code,
  );
  const result: { rule: RuleRow; line: Line }[] = [];
  for (const line of lines) {
    for (const rule of byItem.get(line.itemCode) ?? []) {
      const region = facts.institutions.get(line.settlement.institutionCode)?.regionCode ?? '';
      if (!region.startsWith(jurisdictionOf(rule.region_code))) continue;
      if (line.chargedOn < rule.effective_from) continue;
      if (rule.effective_to !== '' && line.chargedOn > rule.effective_to) continue;
      result.push({ rule, line });
    }
  }
  return result;
}

/** Lines of the settlements anchored in the window. */
const anchoredLines = (facts: Facts): Line[] => anchored(facts).flatMap((s) => s.lines);

/** A per-line class: key rule_id|settlement_id|line_no, amount the line's. */
const lineRule =
  (ruleClass: string, fails: (facts: Facts, rule: RuleRow, line: Line) => boolean): Model =>
  (facts) =>
    ruleLines(facts, ruleClass, anchoredLines(facts))
      .filter(({ rule, line }) => fails(facts, rule, line))
      .map(({ rule, line }) =>
        hit(`${rule.rule_id}|${line.settlement.id}|${line.lineNo}`, line.amountFen, line.settlement.institutionCode, [
          line.settlement,
        ]),
      );

const RULE_CLASS_ORACLES = {
  RULE_SEX: lineRule('SEX', (facts, rule, line) => facts.persons.get(line.settlement.personId)?.gender !== rule.gender),
  RULE_AGE: lineRule('AGE', (facts, rule, line) => {
    const age = fullYears(facts.persons.get(line.settlement.personId)!.birthDate, line.chargedOn);
    return (rule.min_age !== '' && age < Number(rule.min_age)) || (rule.max_age !== '' && age > Number(rule.max_age));
  }),
  RULE_VISIT_TYPE: lineRule(
    'VISIT_TYPE',
    (_facts, rule, line) => !rule.visit_types.split(';').includes(line.settlement.visitType),
  ),
  RULE_LEVEL: lineRule(
    'LEVEL',
    (facts, rule, line) =>
      LEVEL_RANK[facts.institutions.get(line.settlement.institutionCode)!.level] < LEVEL_RANK[rule.min_level],
  ),
  RULE_DIAGNOSIS: lineRule(
    'DIAGNOSIS',
    (_facts, rule, line) =>
      line.settlement.diagnosisCode === '' ||
      !rule.diagnosis_prefixes.split(';').some((p) => line.settlement.diagnosisCode.startsWith(p)),
  ),
  RULE_EXCLUSIVE: (facts: Facts): ExpectedHit[] => {
    const days = groupBy(
      ruleLines(facts, 'EXCLUSIVE', anchoredLines(facts)),
      ({ rule, line }) => `${rule.rule_id}|${line.settlement.id}|${line.chargedOn}`,
    );
    return [...days].flatMap(([key, group]) => {
      const { rule, line } = group[0];
      const others = line.settlement.lines.filter(
        (l) => l.itemCode === rule.other_item_code && l.chargedOn === line.chargedOn,
      );
      if (!others.length) return [];
      return [hit(key, sum(others.map((l) => l.amountFen)), line.settlement.institutionCode, [line.settlement])];
    });
  },
  RULE_FREQUENCY: (facts: Facts): ExpectedHit[] => {
    const perSettlement = ruleLines(facts, 'FREQUENCY', anchoredLines(facts)).filter(
      ({ rule }) => rule.period !== 'YEAR',
    );
    const perYear = ruleLines(
      facts,
      'FREQUENCY',
      facts.lines.filter((l) => inWindow(facts, l.chargedOn)),
    ).filter(({ rule }) => rule.period === 'YEAR');
    const groups = groupBy([...perSettlement, ...perYear], ({ rule, line }) =>
      rule.period === 'DAY'
        ? `${rule.rule_id}|${line.settlement.id}|${line.chargedOn}`
        : rule.period === 'SETTLEMENT'
          ? `${rule.rule_id}|${line.settlement.id}`
          : `${rule.rule_id}|${line.settlement.personId}|${line.chargedOn.slice(0, 4)}`,
    );
    return [...groups].flatMap(([key, group]) => {
      const quantity = sum(group.map((g) => g.line.quantity));
      const cap = parseScaledDecimal(group[0].rule.max_units);
      if (quantity <= cap) return [];
      const byInstitution = [...groupBy(group, (g) => g.line.settlement.institutionCode)]
        .map(([code, lines]) => ({ code, quantity: sum(lines.map((g) => g.line.quantity)) }))
        .sort((a, b) =>
          a.quantity === b.quantity ? compareBytewise(a.code, b.code) : a.quantity > b.quantity ? -1 : 1,
        );
      const amount = averagePriceTimes(sum(group.map((g) => g.line.amountFen)), quantity, quantity - cap);
      return [
        hit(
          key,
          amount,
          byInstitution[0].code,
          group.map((g) => g.line.settlement),
        ),
      ];
    });
  },
};

const MODELS: Record<ModelCode, Model> = {
  DEATH_AFTER: (facts) =>
    anchored(facts).flatMap((s) => {
      const deathDate = facts.persons.get(s.personId)?.deathDate;
      return deathDate && s.date > deathDate ? [hit(s.id, s.fundFen, s.institutionCode, [s])] : [];
    }),

  OVERLAPPING_INPATIENT: (facts) => {
    const hits: ExpectedHit[] = [];
    for (const stays of groupBy(upToWindowEnd(facts).filter(isInpatient), (s) => s.personId).values()) {
      for (let i = 0; i < stays.length; i++) {
        for (let j = i + 1; j < stays.length; j++) {
          const [a, b] = compareBytewise(stays[i].id, stays[j].id) < 0 ? [stays[i], stays[j]] : [stays[j], stays[i]];
          if (a.institutionCode === b.institutionCode) continue;
          if (!(a.admitDate < b.dischargeDate && b.admitDate < a.dischargeDate)) continue;
          if (!inWindow(facts, latest([a, b]).date)) continue;
          const subject = a.admitDate > b.admitDate ? a : b;
          hits.push(hit(`${a.id}|${b.id}`, a.fundFen + b.fundFen, subject.institutionCode, [a, b]));
        }
      }
    }
    return hits;
  },

  BED_HANGING: (facts, params) => {
    const ratio = Fraction.fromDecimal(params.BED_HANGING.activeDayRatio);
    return anchored(facts)
      .filter(isInpatient)
      .flatMap((s) => {
        const los = lengthOfStay(s);
        if (los < params.BED_HANGING.minLengthOfStay) return [];
        const activeDays = new Set(
          s.lines
            .filter((l) => l.kind !== 'BED' && l.chargedOn >= s.admitDate && l.chargedOn < s.dischargeDate)
            .map((l) => l.chargedOn),
        );
        const isHanging = new Fraction(BigInt(activeDays.size)).compare(ratio.multiply(new Fraction(BigInt(los)))) < 0;
        return isHanging ? [hit(s.id, s.fundFen, s.institutionCode, [s])] : [];
      });
  },

  SPLIT_ADMISSION: (facts, params) => {
    const stays = groupBy(upToWindowEnd(facts).filter(isInpatient), (s) => `${s.personId}|${s.institutionCode}`);
    return anchored(facts)
      .filter(isInpatient)
      .flatMap((b) => {
        const earlier = stays
          .get(`${b.personId}|${b.institutionCode}`)!
          .filter(
            (a) =>
              a !== b &&
              a.dischargeDate <= b.admitDate &&
              daysBetween(a.dischargeDate, b.admitDate) <= params.SPLIT_ADMISSION.maxGapDays &&
              a.dx3 !== null &&
              a.dx3 === b.dx3,
          );
        return earlier.length > 0 ? [hit(b.id, b.fundFen, b.institutionCode, [...earlier, b])] : [];
      });
  },

  REPEAT_EXAM_IN_STAY: (facts, params) => {
    const allowed = BigInt(params.REPEAT_EXAM_IN_STAY.maxQuantity) * QUANTITY_SCALE;
    return anchored(facts)
      .filter((s) => s.visitType === 'INPATIENT')
      .flatMap((s) =>
        [
          ...groupBy(
            s.lines.filter((l) => l.kind === 'EXAM'),
            (l) => l.itemCode,
          ),
        ].flatMap(([itemCode, lines]) => {
          const quantity = sum(lines.map((l) => l.quantity));
          if (quantity <= allowed) return [];
          const amount = averagePriceTimes(sum(lines.map((l) => l.amountFen)), quantity, quantity - allowed);
          return [hit(`${s.id}|${itemCode}`, amount, s.institutionCode, [s])];
        }),
      );
  },

  DAILY_QUANTITY_EXCESS: (facts) => {
    const lines = facts.lines.filter((l) => inWindow(facts, l.chargedOn));
    const groups = groupBy(
      lines,
      (l) => `${l.settlement.personId}|${l.settlement.institutionCode}|${l.itemCode}|${l.chargedOn}`,
    );
    return [...groups].flatMap(([key, group]) => {
      const limit = institutionRow(facts, group[0].itemCode, group[0].settlement)?.maxDailyQuantity ?? null;
      if (limit === null) return [];
      const quantity = sum(group.map((l) => l.quantity));
      if (quantity <= limit) return [];
      const amount = averagePriceTimes(sum(group.map((l) => l.amountFen)), quantity, quantity - limit);
      return [
        hit(
          key,
          amount,
          group[0].settlement.institutionCode,
          group.map((l) => l.settlement),
        ),
      ];
    });
  },

  OVER_PRICE: (facts) =>
    anchored(facts).flatMap((s) =>
      s.lines.flatMap((l) => {
        const cap = institutionRow(facts, l.itemCode, s)?.maxUnitPriceFen ?? null;
        if (cap === null || l.unitPriceFen <= cap) return [];
        const amount = divideRoundHalfUp((l.unitPriceFen - cap) * l.quantity, QUANTITY_SCALE);
        return [hit(`${s.id}|${l.lineNo}`, amount, s.institutionCode, [s])];
      }),
    ),

  TRACE_CODE_REUSE: (facts) => {
    const lines = facts.lines.filter((l) => l.traceCode !== '' && l.settlement.date <= facts.to);
    return [...groupBy(lines, (l) => l.traceCode)].flatMap(([traceCode, group]) => {
      const settlements = [...new Set(group.map((l) => l.settlement))].sort(bySettledAt);
      if (settlements.length < 2) return [];
      const anchor = settlements[settlements.length - 1];
      if (!inWindow(facts, anchor.date)) return [];
      const earliest = settlements[0];
      const amount = sum(group.filter((l) => l.settlement !== earliest).map((l) => l.amountFen));
      return [hit(traceCode, amount, anchor.institutionCode, settlements)];
    });
  },

  EXCESS_DISPENSING: (facts) => {
    const lines = facts.lines.filter((l) => l.kind === 'DRUG' && inWindow(facts, l.chargedOn));
    const groups = groupBy(lines, (l) => `${l.settlement.personId}|${l.itemCode}|${l.chargedOn.slice(0, 7)}`);
    return [...groups].flatMap(([key, group]) => {
      const person = facts.persons.get(group[0].settlement.personId);
      const limit = effectiveRow(facts, group[0].itemCode, person?.regionCode)?.maxMonthlyQuantity ?? null;
      if (limit === null) return [];
      const quantity = sum(group.map((l) => l.quantity));
      if (quantity <= limit) return [];
      const perInstitution = [...groupBy(group, (l) => l.settlement.institutionCode)].map(
        ([code, ls]) => [code, sum(ls.map((l) => l.quantity))] as const,
      );
      perInstitution.sort((a, b) => (a[1] === b[1] ? compareBytewise(a[0], b[0]) : a[1] > b[1] ? -1 : 1));
      const amount = averagePriceTimes(sum(group.map((l) => l.amountFen)), quantity, quantity - limit);
      return [
        hit(
          key,
          amount,
          perInstitution[0][0],
          group.map((l) => l.settlement),
        ),
      ];
    });
  },

  LOW_STANDARD_ADMISSION: (facts) =>
    anchored(facts)
      .filter((s) => s.visitType === 'INPATIENT')
      .filter(
        (s) => s.lines.length > 0 && s.lines.every((l) => l.kind === 'LAB' || l.kind === 'EXAM' || l.kind === 'BED'),
      )
      .filter((s) => s.fundFen > 0n)
      .map((s) => hit(s.id, s.fundFen, s.institutionCode, [s])),

  PEER_OUTLIER: (facts, params) => {
    const { minSettlements, minPeers, threshold } = params.PEER_OUTLIER;
    const limit = Fraction.fromDecimal(threshold).multiply(MAD_SCALE);
    const outpatient = anchored(facts).filter(
      (s) => s.visitType === 'OUTPATIENT' && facts.institutions.has(s.institutionCode),
    );
    const qualifying = [...groupBy(outpatient, (s) => `${s.institutionCode}|${s.date.slice(0, 7)}`)]
      .filter(([, group]) => group.length >= minSettlements)
      .map(([key, group]) => {
        const institution = facts.institutions.get(group[0].institutionCode)!;
        return {
          key,
          group,
          mean: new Fraction(sum(group.map((s) => s.fundFen)), BigInt(group.length)),
          peerKey: `${institution.kind}|${institution.regionCode.slice(0, 4)}|${key.slice(-7)}`,
        };
      });
    return [...groupBy(qualifying, (q) => q.peerKey).values()].flatMap((peers) => {
      if (peers.length < minPeers) return [];
      const median = medianOf(peers.map((p) => p.mean));
      const mad = medianOf(peers.map((p) => p.mean.subtract(median).abs()));
      if (mad.compare(new Fraction(0n)) <= 0) return [];
      return peers
        .filter((p) => p.mean.subtract(median).compare(limit.multiply(mad)) > 0)
        .map((p) =>
          hit(
            p.key,
            p.mean
              .subtract(median)
              .multiply(new Fraction(BigInt(p.group.length)))
              .roundHalfUp(),
            p.group[0].institutionCode,
            p.group,
          ),
        );
    });
  },

  PRESCRIPTION_SPLITTING: (facts, params) => {
    const visits = anchored(facts).filter((s) => s.visitType === 'OUTPATIENT' || s.visitType === 'PHARMACY');
    return [...groupBy(visits, (s) => `${s.personId}|${s.institutionCode}|${s.date}`)]
      .filter(([, group]) => group.length >= params.PRESCRIPTION_SPLITTING.minSettlements)
      .map(([key, group]) => hit(key, sum(group.map((s) => s.fundFen)), group[0].institutionCode, group));
  },

  GROUP_ADMISSION: (facts, params) => {
    const stays = anchored(facts).filter((s) => isInpatient(s) && s.dx3 !== null);
    return [...groupBy(stays, (s) => `${s.institutionCode}|${s.admitDate}|${s.dx3}|${lengthOfStay(s)}`)]
      .filter(([, group]) => new Set(group.map((s) => s.personId)).size >= params.GROUP_ADMISSION.minPersons)
      .map(([key, group]) => hit(key, sum(group.map((s) => s.fundFen)), group[0].institutionCode, group));
  },

  INVENTORY_MISMATCH: (facts) => {
    const isPharmacy = (code: string): boolean => facts.institutions.get(code)?.kind === 'PHARMACY';
    const bought = new Map<string, bigint>();
    for (const p of facts.purchases) {
      if (p.purchasedOn > facts.to) continue;
      const key = `${p.institutionCode}|${p.itemCode}`;
      bought.set(key, (bought.get(key) ?? 0n) + p.quantity);
    }
    const sales = facts.lines.filter(
      (l) => l.kind === 'DRUG' && l.chargedOn <= facts.to && isPharmacy(l.settlement.institutionCode),
    );
    return [...groupBy(sales, (l) => `${l.settlement.institutionCode}|${l.itemCode}`)].flatMap(([key, group]) => {
      const sold = sum(group.map((l) => l.quantity));
      const stock = bought.get(key) ?? 0n;
      if (sold <= stock) return [];
      const amount = averagePriceTimes(sum(group.map((l) => l.amountFen)), sold, sold - stock);
      return [
        hit(
          key,
          amount,
          group[0].settlement.institutionCode,
          group.map((l) => l.settlement),
        ),
      ];
    });
  },

  INSIDER_PAYEE: (facts) => {
    const officialsByAccount = new Map<string, string[]>();
    for (const [personId, person] of facts.persons) {
      if (!person.isPublicOfficial || person.bankAccount === '') continue;
      officialsByAccount.set(person.bankAccount, [...(officialsByAccount.get(person.bankAccount) ?? []), personId]);
    }
    return anchored(facts).flatMap((s) => {
      if (s.payeeAccount === '' || s.payeeAccount === facts.persons.get(s.personId)?.bankAccount) return [];
      const officials = officialsByAccount.get(s.payeeAccount);
      return officials ? [hit(s.id, s.fundFen, s.institutionCode, [s], officials)] : [];
    });
  },

  ...RULE_CLASS_ORACLES,

  BUNDLED_ITEM_CHARGE: (facts) =>
    anchored(facts).flatMap((s) =>
      [...groupBy(s.lines, (l) => l.chargedOn)].flatMap(([chargedOn, dayLines]) => {
        const byItem = groupBy(dayLines, (l) => l.itemCode);
        return [...byItem.keys()].flatMap((bundle) =>
          [...new Set(institutionRow(facts, bundle, s)?.includes ?? [])]
            .filter((component) => byItem.has(component))
            .map((component) =>
              hit(
                `${s.id}|${bundle}|${component}|${chargedOn}`,
                sum(byItem.get(component)!.map((l) => l.amountFen)),
                s.institutionCode,
                [s],
              ),
            ),
        );
      }),
    ),
};

/** Median of exact values; the two middle values are averaged. */
function medianOf(values: Fraction[]): Fraction {
  const sorted = [...values].sort((a, b) => a.compare(b));
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle];
  return sorted[middle - 1].add(sorted[middle]).multiply(new Fraction(1n, 2n));
}

/**
 * Expected hits of every model over [from, to] (inclusive Asia/Shanghai dates), each model's
 * list sorted by hit key in byte order.
 */
export function computeExpectedHits(
  batch: Batch,
  options: { from: string; to: string; params?: ModelParameters },
): ExpectedHits {
  const params = options.params ?? DEFAULT_MODEL_PARAMETERS;
  const facts = readFacts(batch, options.from, options.to);
  const hits = {} as Record<ModelCode, ExpectedHit[]>;
  for (const code of MODEL_CODES) {
    hits[code] = MODELS[code](facts, params).sort((a, b) => compareBytewise(a.hitKey, b.hitKey));
  }
  return { from: options.from, to: options.to, params, hits };
}
