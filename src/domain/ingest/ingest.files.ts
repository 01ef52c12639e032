/**
 * DATA-DICTIONARY.md as code: for every batch file, its columns, its key, the checks a
 * staged row must pass (in the order they are tried — a row is rejected for the first
 * that fails), how "the same content" is decided against an existing row, and how valid
 * rows move into the fact table.
 *
 * All SQL runs over the staging table `ingest_stage s` (text columns named as in the
 * dictionary, plus file_line: the physical line the record starts on) inside the file's transaction. `:encKey` and `:hashKey` stand
 * for the personal-data keys (bytea parameters). Reason texts are the ones docs/INGEST.md lists.
 */
import { TIME_ZONE } from '../../core/constants';
import { PersonalDataKeys, sqlKeyedHash } from '../reference/personal-data';
import { DICTIONARY_COLUMNS } from './dictionary';
import { CbcSlots } from './cbc-slots';
import {
  amountIsProduct,
  atLeastOne,
  Fields,
  isAccount,
  isDate,
  isDecimal,
  isGb11643,
  isIcd10,
  isInteger,
  isMoney,
  isRegionCode,
  isLocalCheck,
  isTimestamp,
  json,
  LocalCheck,
  maskBankAccount,
  maskIdNumber,
  maxLength,
  nonNegative,
  oneOf,
  positive,
  required,
  shanghaiDate,
  totalIsSum,
  when,
} from './row-checks';

/**
 * A set-based check, in SQL: a condition that is true when the row fails, and the SQL
 * text of the reason. It is evaluated only when no row-local check before it failed.
 * `direct` is the same check in Node over a looked-up row, for the direct path
 * (direct-load.ts); a file loads directly only when all its set-based checks have one.
 */
export type SqlCheck = [failsWhen: string, reason: string, direct?: LookupCheck];

/**
 * Reference rows the direct path looks up (on a second connection, committed rows only),
 * by the value of one column: `SELECT key, … WHERE key = ANY($1)`. Other selected
 * columns come back as text (dates in ISO form), null where absent.
 */
export const LOOKUPS = {
  region: 'SELECT code AS key FROM region WHERE code = ANY($1::text[])',
  institution: 'SELECT code AS key FROM institution WHERE code = ANY($1::text[])',
  person: 'SELECT person_id AS key FROM person WHERE person_id = ANY($1::text[])',
  // A settlement's month, and its stay when it is an inpatient one.
  settlement: `SELECT k.settlement_id AS key, k.settled_on::text AS settled_on,
                      st.admit_date::text AS admit_date, st.discharge_date::text AS discharge_date
               FROM settlement_key k
               LEFT JOIN settlement st ON st.settled_on = k.settled_on AND st.settlement_id = k.settlement_id
                                      AND st.visit_type = 'INPATIENT'
               WHERE k.settlement_id = ANY($1::text[])`,
} as const;
export type LookupName = keyof typeof LOOKUPS;
/** A looked-up row: its selected columns as text. */
export type LookupRow = Record<string, string | null>;
/** The looked-up row for a value of a lookup, or null when there is none. */
export type Lookup = (lookup: LookupName, value: string) => LookupRow | null;

/** A set-based check in Node: the row of `lookup` for the value of `column`, then a test. */
export interface LookupCheck {
  lookup: LookupName;
  column: string;
  test: (columns: readonly string[]) => (f: Fields, found: LookupRow | null) => string | null;
}

/**
 * A target column the direct path computes for each accepted row: from the row (`value`, the
 * column's text form, written in binary by its type's encoder), a column's keyed hash (`hashes`,
 * its 32 bytes) or its value encrypted as personal data (`encrypts`: done for a chunk's rows at
 * once). They are written in that order: values, hashes, encryptions.
 */
export type ComputedColumn =
  | { name: string; value: (context: LoadContext) => (f: Fields, lookup: Lookup) => string | null }
  | { name: string; hashes: string }
  | { name: string; encrypts: string };

/** A row's value of a computed (`value`) column, by name. */
export type Computed = (name: string) => string | null;

/** What a computed target column is made from. */
export interface LoadContext {
  keys: PersonalDataKeys;
  ingestFileId: string;
  columns: readonly string[];
}

/**
 * The direct path of a file (direct-load.ts): accepted rows are copied straight into
 * `table`, with the file's columns as they are (except `omit`) and `computed` ones.
 */
export interface DirectLoad {
  table: string;
  /** File columns that are not target columns (personal data, loaded as computed columns). */
  omit?: readonly string[];
  computed: ComputedColumn[];
  /** Rows for a second table, copied after the first (a row per accepted row, its columns' values). */
  also?: {
    table: string;
    columns: readonly string[];
    values: (context: LoadContext) => ((f: Fields, computed: Computed) => string | null)[];
  };
  /** The timestamp column whose month (in Asia/Shanghai) needs a partition. */
  monthOf?: string;
  /**
   * What later files of the batch look up in this one: each loaded row as `lookup` returns it,
   * kept in memory once the file is committed (BatchMemory) instead of queried again.
   */
  remember?: {
    lookup: LookupName;
    entry: (columns: readonly string[]) => (f: Fields, computed: Computed) => LookupRow & { key: string };
  };
}
/** Checks in the order they are tried: row-local ones (run in Node) and set-based ones. */
export type Check = SqlCheck | LocalCheck;

/** An extra staged column, computed in Node for rows that pass the row-local checks. */
export interface DerivedColumn {
  name: string;
  type: string;
  value: (keys: PersonalDataKeys, columns: readonly string[]) => (f: Fields) => string | null;
}

export const INGEST_FILE_NAMES = [
  'regions.csv',
  'institutions.csv',
  'persons.csv',
  'relations.csv',
  'price_catalog.csv',
  'settlements.csv',
  'settlement_items.csv',
  'drug_purchases.csv',
  'rules.csv',
] as const;
export type IngestFileName = (typeof INGEST_FILE_NAMES)[number];

export interface IngestFileSpec {
  file: IngestFileName;
  columns: readonly string[];
  key: readonly string[];
  /** LEFT JOINs the set-based checks use. */
  joins: string;
  /** LEFT JOIN(s) of `e`, the existing fact row with the same key, if any (after `joins`). */
  existing: string;
  checks: Check[];
  /** Extra staged columns computed in Node for rows that pass the row-local checks. */
  derived?: DerivedColumn[];
  /** True when the existing row `e` holds the same content as the staged row. */
  sameContent: string;
  /** Personal-data columns, masked wherever a value is printed or quarantined. */
  masked?: Partial<Record<string, 'id' | 'account'>>;
  /** Statements that move the accepted rows (`accepted`: a condition on `s`) into the facts. */
  insert: (accepted: string) => string[];
  /** A statement that must reach a fixpoint after the checks (regions whose parent was rejected). */
  repeatUntilStable?: string;
  /** First days of the months whose partitions the accepted rows may need. */
  months?: string;
  /** Load the accepted rows straight into the table when nothing needs the staged path. */
  direct?: DirectLoad;
}

// ---------------------------------------------------------------------------------------
// Set-based check builders (the row-local ones are in row-checks.ts).

/** The referenced row, joined as `alias` (looked up in `lookup` on the direct path), must exist. */
const exists = (column: string, alias: string, aliasKey: string, lookup: LookupName): SqlCheck => [
  `s.${column} IS NOT NULL AND ${alias}.${aliasKey} IS NULL`,
  `format('${column} %s does not exist', s.${column})`,
  {
    lookup,
    column,
    test: (columns) => {
      const i = columns.indexOf(column);
      return (f, found) => (f[i] !== null && found === null ? `${column} ${f[i]} does not exist` : null);
    },
  },
];

/**
 * The encrypted and masked columns of a personal-data value, computed in Node exactly as
 * personal-data.ts defines them (iv || AES-256-CBC; mask). On this (staged) path the
 * keyed hash stays in SQL (sqlKeyedHash, pgcrypto's hmac).
 */
const personalData = (column: string, mask: (value: string) => string): DerivedColumn[] => [
  {
    name: `_${column}_enc`,
    type: 'bytea',
    value: (keys, columns) => {
      const i = columns.indexOf(column);
      const slots = new CbcSlots(keys.encKey);
      const out = Buffer.allocUnsafe(1 << 12);
      // One value at a time through the direct path's encrypter (cbc-slots.ts).
      return (f) => {
        if (f[i] === null) return null;
        const width = CbcSlots.width(f[i]!);
        const target = width <= out.length ? out : Buffer.allocUnsafe(width);
        slots.add(f[i]!, 0);
        slots.fill(target);
        return target.toString('latin1', 0, width);
      };
    },
  },
  {
    name: `_${column}_masked`,
    type: 'text',
    value: (_keys, columns) => {
      const i = columns.indexOf(column);
      return (f) => (f[i] === null ? null : mask(f[i]!));
    },
  },
];

/** The same personal-data columns as the person table holds them: encrypted, keyed hash, masked. */
const personalColumns = (column: string, mask: (value: string) => string): DirectLoad['computed'] => [
  { name: `${column}_hash`, hashes: column },
  {
    name: `${column}_masked`,
    value: ({ columns }) => {
      const i = columns.indexOf(column);
      return (f) => (f[i] === null ? null : mask(f[i]!));
    },
  },
  // Encrypted a chunk at a time (cbc-slots.ts).
  { name: `${column}_enc`, encrypts: column },
];

/**
 * The direct path hands the file over to the staged path: it cannot decide it the way the
 * staged path would (a value it cannot derive or write exactly, a key shared with a rejected
 * line, too many rejections). The only error the direct path falls back on besides the key
 * indexes' unique violation (direct-load.ts).
 */
export class NotDirect extends Error {}

const ITEM_KINDS = ['DRUG', 'EXAM', 'LAB', 'TREATMENT', 'MATERIAL', 'BED', 'OTHER'] as const;
const VISIT_TYPES = ['OUTPATIENT', 'INPATIENT', 'PHARMACY'] as const;

/** The staged value as the typed fact column, for comparisons and inserts. */
const hash = (column: string) => sqlKeyedHash(`s.${column}`, ':hashKey');
const same = (pairs: [existing: string, staged: string][]) =>
  pairs.map(([e, v]) => `e.${e} IS NOT DISTINCT FROM ${v}`).join(' AND ');

// ---------------------------------------------------------------------------------------

const regions: IngestFileSpec = {
  file: 'regions.csv',
  columns: DICTIONARY_COLUMNS['regions.csv'],
  key: ['code'],
  joins: '',
  existing: 'LEFT JOIN region e ON e.code = s.code',
  checks: [
    required('code'),
    isRegionCode('code'),
    required('name'),
    required('level'),
    oneOf('level', ['PROVINCE', 'CITY', 'COUNTY']),
    isRegionCode('parent_code'),
    when(['level', 'parent_code'], (level, parent) =>
      level === 'PROVINCE' && parent !== null ? 'parent_code must be empty for a PROVINCE' : null,
    ),
    when(['level', 'parent_code'], (level, parent) =>
      level !== null && level !== 'PROVINCE' && parent === null ? `parent_code is required for a ${level}` : null,
    ),
    when(['parent_code', 'code'], (parent, code) =>
      parent !== null && parent === code ? 'parent_code equals code' : null,
    ),
  ],
  sameContent: same([
    ['name', 's.name'],
    ['level', 's.level'],
    ['parent_code', 's.parent_code'],
  ]),
  // A parent must exist already or be an accepted row of the same file; a county whose
  // city is rejected is rejected in turn, hence the fixpoint.
  repeatUntilStable: `
    INSERT INTO ingest_outcome (file_line, reason, duplicate)
    SELECT s.file_line, format('parent_code %s does not exist', s.parent_code), false
    FROM ingest_stage s
    WHERE s.parent_code IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ingest_outcome o WHERE o.file_line = s.file_line)
      AND NOT EXISTS (SELECT 1 FROM region r WHERE r.code = s.parent_code)
      AND NOT EXISTS (SELECT 1 FROM ingest_stage p WHERE p.code = s.parent_code
                        AND NOT EXISTS (SELECT 1 FROM ingest_outcome o WHERE o.file_line = p.file_line))`,
  insert: (accepted) => [
    `INSERT INTO region (code, name, level, parent_code) SELECT s.code, s.name, s.level, s.parent_code FROM ingest_stage s WHERE ${accepted}`,
  ],
};

const institutions: IngestFileSpec = {
  file: 'institutions.csv',
  columns: DICTIONARY_COLUMNS['institutions.csv'],
  key: ['code'],
  joins: 'LEFT JOIN region r ON r.code = s.region_code',
  existing: 'LEFT JOIN institution e ON e.code = s.code',
  checks: [
    required('code'),
    maxLength('code', 32),
    required('name'),
    required('kind'),
    oneOf('kind', ['HOSPITAL', 'CLINIC', 'VILLAGE_CLINIC', 'PHARMACY']),
    required('level'),
    oneOf('level', ['TERTIARY', 'SECONDARY', 'PRIMARY', 'NONE']),
    required('ownership'),
    oneOf('ownership', ['PUBLIC', 'PRIVATE']),
    required('region_code'),
    isRegionCode('region_code'),
    exists('region_code', 'r', 'code', 'region'),
    [`r.level <> 'COUNTY'`, `format('region_code %s is a %s, not a COUNTY', s.region_code, r.level)`],
  ],
  sameContent: same([
    ['name', 's.name'],
    ['kind', 's.kind'],
    ['level', 's.level'],
    ['ownership', 's.ownership'],
    ['region_code', 's.region_code'],
  ]),
  insert: (accepted) => [
    `INSERT INTO institution (code, name, kind, level, ownership, region_code)
     SELECT s.code, s.name, s.kind, s.level, s.ownership, s.region_code FROM ingest_stage s WHERE ${accepted}`,
  ],
};

const persons: IngestFileSpec = {
  file: 'persons.csv',
  columns: DICTIONARY_COLUMNS['persons.csv'],
  key: ['person_id'],
  joins: `LEFT JOIN region r ON r.code = s.region_code
          LEFT JOIN institution i ON i.code = s.employer_code`,
  existing: 'LEFT JOIN person e ON e.person_id = s.person_id',
  checks: [
    required('person_id'),
    maxLength('person_id', 32),
    isGb11643('id_number'),
    required('name'),
    required('gender'),
    oneOf('gender', ['M', 'F']),
    required('birth_date'),
    isDate('birth_date'),
    required('region_code'),
    isRegionCode('region_code'),
    exists('region_code', 'r', 'code', 'region'),
    isDate('death_date'),
    when(['death_date', 'birth_date'], (death, birth) =>
      death !== null && birth !== null && death < birth ? `death_date ${death} is before birth_date ${birth}` : null,
    ),
    required('is_public_official'),
    oneOf('is_public_official', ['true', 'false']),
    exists('employer_code', 'i', 'code', 'institution'),
    isAccount('bank_account'),
  ],
  masked: { id_number: 'id', bank_account: 'account' },
  derived: [...personalData('id_number', maskIdNumber), ...personalData('bank_account', maskBankAccount)],
  direct: {
    table: 'person',
    omit: ['id_number', 'bank_account'],
    computed: [...personalColumns('id_number', maskIdNumber), ...personalColumns('bank_account', maskBankAccount)],
    remember: {
      lookup: 'person',
      entry: (columns) => {
        const i = columns.indexOf('person_id');
        return (f) => ({ key: f[i]! });
      },
    },
  },
  sameContent: same([
    ['name', 's.name'],
    ['gender', 's.gender'],
    ['birth_date', 's.birth_date::date'],
    ['region_code', 's.region_code'],
    ['death_date', 's.death_date::date'],
    ['is_public_official', 's.is_public_official::boolean'],
    ['employer_code', 's.employer_code'],
    // Ciphertexts differ on every load (random IV): compare the keyed hashes.
    ['id_number_hash', hash('id_number')],
    ['bank_account_hash', hash('bank_account')],
  ]),
  insert: (accepted) => [
    `INSERT INTO person (person_id, name, gender, birth_date, region_code, death_date, is_public_official,
                         employer_code, id_number_enc, id_number_hash, id_number_masked,
                         bank_account_enc, bank_account_hash, bank_account_masked)
     SELECT s.person_id, s.name, s.gender, s.birth_date::date, s.region_code, s.death_date::date,
            s.is_public_official::boolean, s.employer_code,
            s._id_number_enc, ${hash('id_number')}, s._id_number_masked,
            s._bank_account_enc, ${hash('bank_account')}, s._bank_account_masked
     FROM ingest_stage s WHERE ${accepted}`,
  ],
};

const relations: IngestFileSpec = {
  file: 'relations.csv',
  columns: DICTIONARY_COLUMNS['relations.csv'],
  key: ['person_a', 'person_b', 'kind'],
  joins: `LEFT JOIN person pa ON pa.person_id = s.person_a
          LEFT JOIN person pb ON pb.person_id = s.person_b`,
  existing: 'LEFT JOIN person_relation e ON e.person_a = s.person_a AND e.person_b = s.person_b AND e.kind = s.kind',
  checks: [
    required('person_a'),
    exists('person_a', 'pa', 'person_id', 'person'),
    required('person_b'),
    exists('person_b', 'pb', 'person_id', 'person'),
    when(['person_b', 'person_a'], (b, a) => (b !== null && b === a ? 'person_b equals person_a' : null)),
    required('kind'),
    oneOf('kind', ['RELATIVE', 'SPOUSE', 'SHARED_PHONE', 'COLLEAGUE']),
  ],
  // The whole row is the key: an existing row is always the same.
  sameContent: 'true',
  direct: { table: 'person_relation', computed: [] },
  insert: (accepted) => [
    `INSERT INTO person_relation (person_a, person_b, kind) SELECT s.person_a, s.person_b, s.kind FROM ingest_stage s WHERE ${accepted}`,
  ],
};

const priceCatalog: IngestFileSpec = {
  file: 'price_catalog.csv',
  columns: DICTIONARY_COLUMNS['price_catalog.csv'],
  key: ['item_code', 'region_code'],
  joins: 'LEFT JOIN region r ON r.code = s.region_code',
  existing: 'LEFT JOIN price_catalog e ON e.item_code = s.item_code AND e.region_code = s.region_code',
  checks: [
    required('item_code'),
    maxLength('item_code', 40),
    required('item_kind'),
    oneOf('item_kind', ITEM_KINDS),
    required('item_name'),
    required('region_code'),
    isRegionCode('region_code'),
    exists('region_code', 'r', 'code', 'region'),
    [`r.level = 'COUNTY'`, `format('region_code %s is a COUNTY, not a PROVINCE or CITY', s.region_code)`],
    isMoney('max_unit_price'),
    nonNegative('max_unit_price'),
    isDecimal('max_daily_quantity'),
    nonNegative('max_daily_quantity'),
    isDecimal('max_monthly_quantity'),
    nonNegative('max_monthly_quantity'),
    when(['includes'], (includes) =>
      includes !== null && /(^|\|)(\||$)/.test(includes) ? 'includes has an empty item code' : null,
    ),
  ],
  sameContent: same([
    ['item_kind', 's.item_kind'],
    ['item_name', 's.item_name'],
    ['max_unit_price', 's.max_unit_price::numeric'],
    ['max_daily_quantity', 's.max_daily_quantity::numeric'],
    ['max_monthly_quantity', 's.max_monthly_quantity::numeric'],
    ['includes', `coalesce(string_to_array(s.includes, '|'), '{}')`],
  ]),
  insert: (accepted) => [
    `INSERT INTO price_catalog (item_code, region_code, item_kind, item_name, max_unit_price,
                                max_daily_quantity, max_monthly_quantity, includes)
     SELECT s.item_code, s.region_code, s.item_kind, s.item_name, s.max_unit_price::numeric,
            s.max_daily_quantity::numeric, s.max_monthly_quantity::numeric, coalesce(string_to_array(s.includes, '|'), '{}')
     FROM ingest_stage s WHERE ${accepted}`,
  ],
};

/** settled_at was staged typed (`_settled_at timestamptz`, read in the session zone Asia/Shanghai when it has no offset). */
const settledOn = `(s._settled_at AT TIME ZONE '${TIME_ZONE}')::date`;

const settlements: IngestFileSpec = {
  file: 'settlements.csv',
  columns: DICTIONARY_COLUMNS['settlements.csv'],
  key: ['settlement_id'],
  joins: `LEFT JOIN person p ON p.person_id = s.person_id
          LEFT JOIN institution i ON i.code = s.institution_code
          LEFT JOIN person d ON d.person_id = s.doctor_id`,
  existing: `LEFT JOIN settlement_key k ON k.settlement_id = s.settlement_id
             LEFT JOIN settlement e ON e.settled_on = k.settled_on AND e.settlement_id = k.settlement_id`,
  checks: [
    required('settlement_id'),
    maxLength('settlement_id', 40),
    required('person_id'),
    exists('person_id', 'p', 'person_id', 'person'),
    required('institution_code'),
    exists('institution_code', 'i', 'code', 'institution'),
    required('visit_type'),
    oneOf('visit_type', VISIT_TYPES),
    isDate('admit_date'),
    isDate('discharge_date'),
    when(['visit_type', 'admit_date'], (visit, admit) =>
      visit === 'INPATIENT' && admit === null ? 'admit_date is required for INPATIENT' : null,
    ),
    when(['visit_type', 'discharge_date'], (visit, discharge) =>
      visit === 'INPATIENT' && discharge === null ? 'discharge_date is required for INPATIENT' : null,
    ),
    when(['visit_type', 'admit_date'], (visit, admit) =>
      visit !== null && visit !== 'INPATIENT' && admit !== null ? `admit_date must be empty for ${visit}` : null,
    ),
    when(['visit_type', 'discharge_date'], (visit, discharge) =>
      visit !== null && visit !== 'INPATIENT' && discharge !== null
        ? `discharge_date must be empty for ${visit}`
        : null,
    ),
    when(['discharge_date', 'admit_date'], (discharge, admit) =>
      discharge !== null && admit !== null && discharge < admit
        ? `discharge_date ${discharge} is before admit_date ${admit}`
        : null,
    ),
    required('settled_at'),
    isTimestamp('settled_at'),
    when(['visit_type', 'diagnosis_code'], (visit, diagnosis) =>
      visit !== null && visit !== 'PHARMACY' && diagnosis === null ? `diagnosis_code is required for ${visit}` : null,
    ),
    isIcd10('diagnosis_code'),
    required('total_amount'),
    isMoney('total_amount'),
    required('fund_amount'),
    isMoney('fund_amount'),
    nonNegative('fund_amount'),
    required('self_amount'),
    isMoney('self_amount'),
    nonNegative('self_amount'),
    totalIsSum('total_amount', 'fund_amount', 'self_amount'),
    isAccount('payee_account'),
    exists('doctor_id', 'd', 'person_id', 'person'),
  ],
  masked: { payee_account: 'account' },
  derived: [
    {
      name: '_settled_at',
      type: 'timestamptz',
      value: (_keys, columns) => {
        const i = columns.indexOf('settled_at');
        return (f) => f[i];
      },
    },
  ],
  sameContent: same([
    ['person_id', 's.person_id'],
    ['institution_code', 's.institution_code'],
    ['visit_type', 's.visit_type'],
    ['admit_date', 's.admit_date::date'],
    ['discharge_date', 's.discharge_date::date'],
    ['settled_at', 's._settled_at'],
    ['diagnosis_code', 's.diagnosis_code'],
    ['dip_group', 's.dip_group'],
    ['total_amount', 's.total_amount::numeric'],
    ['fund_amount', 's.fund_amount::numeric'],
    ['self_amount', 's.self_amount::numeric'],
    ['payee_account_hash', hash('payee_account')],
    ['doctor_id', 's.doctor_id'],
  ]),
  months: `SELECT DISTINCT date_trunc('month', ${settledOn})::date AS month
           FROM ingest_stage s WHERE s._settled_at IS NOT NULL`,
  direct: {
    table: 'settlement',
    omit: ['payee_account'],
    computed: [
      {
        name: 'settled_on',
        value: ({ columns }) => {
          const i = columns.indexOf('settled_at');
          return (f) => {
            const day = shanghaiDate(f[i]!);
            if (day === null)
              throw new NotDirect(`settled_at ${f[i]}: its date in ${TIME_ZONE} needs the time zone rules`);
            return day;
          };
        },
      },
      { name: 'payee_account_hash', hashes: 'payee_account' },
      {
        name: 'payee_account_masked',
        value: ({ columns }) => {
          const i = columns.indexOf('payee_account');
          return (f) => (f[i] === null ? null : maskBankAccount(f[i]!));
        },
      },
      {
        name: 'ingest_file_id',
        value:
          ({ ingestFileId }) =>
          () =>
            ingestFileId,
      },
    ],
    // The global key of every loaded settlement.
    also: {
      table: 'settlement_key',
      columns: ['settlement_id', 'settled_on'],
      values: ({ columns }) => {
        const id = columns.indexOf('settlement_id');
        return [(f) => f[id], (_f, computed) => computed('settled_on')];
      },
    },
    monthOf: 'settled_at',
    remember: {
      lookup: 'settlement',
      entry: (columns) => {
        const [id, visit, admit, discharge] = ['settlement_id', 'visit_type', 'admit_date', 'discharge_date'].map((c) =>
          columns.indexOf(c),
        );
        return (f, computed) => {
          const inpatient = f[visit] === 'INPATIENT';
          return {
            key: f[id]!,
            settled_on: computed('settled_on'),
            admit_date: inpatient ? f[admit] : null,
            discharge_date: inpatient ? f[discharge] : null,
          };
        };
      },
    },
  },
  // The settlement and its global key in one pass over the staging table.
  insert: (accepted) => [
    `WITH loaded AS (
       INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, admit_date, discharge_date,
                               settled_at, settled_on, diagnosis_code, dip_group, total_amount, fund_amount,
                               self_amount, payee_account_hash, payee_account_masked, doctor_id, ingest_file_id)
       SELECT s.settlement_id, s.person_id, s.institution_code, s.visit_type, s.admit_date::date, s.discharge_date::date,
              s._settled_at, ${settledOn}, s.diagnosis_code, s.dip_group, s.total_amount::numeric,
              s.fund_amount::numeric, s.self_amount::numeric, ${hash('payee_account')},
              mask_bank_account(s.payee_account), s.doctor_id, :ingestFileId
       FROM ingest_stage s WHERE ${accepted}
       RETURNING settlement_id, settled_on)
     INSERT INTO settlement_key (settlement_id, settled_on) SELECT settlement_id, settled_on FROM loaded`,
  ],
};

/** The line number as an integer when it is one (for the join to an existing item). */
const lineNo = `CASE WHEN s.line_no ~ '^\\d{1,9}$' THEN s.line_no::int END`;

const settlementItems: IngestFileSpec = {
  file: 'settlement_items.csv',
  columns: DICTIONARY_COLUMNS['settlement_items.csv'],
  key: ['settlement_id', 'line_no'],
  // Only inpatient settlements have a stay to check the charge dates against.
  joins: `LEFT JOIN settlement_key k ON k.settlement_id = s.settlement_id
          LEFT JOIN (SELECT settlement_id, settled_on, admit_date, discharge_date FROM settlement
                     WHERE visit_type = 'INPATIENT') st
            ON st.settled_on = k.settled_on AND st.settlement_id = k.settlement_id`,
  existing: `LEFT JOIN settlement_item e ON e.settled_on = k.settled_on AND e.settlement_id = k.settlement_id
                                        AND e.line_no = ${lineNo}`,
  checks: [
    required('settlement_id'),
    exists('settlement_id', 'k', 'settlement_id', 'settlement'),
    required('line_no'),
    isInteger('line_no'),
    atLeastOne('line_no'),
    required('item_code'),
    maxLength('item_code', 40),
    required('item_kind'),
    oneOf('item_kind', ITEM_KINDS),
    required('item_name'),
    required('quantity'),
    isDecimal('quantity'),
    positive('quantity'),
    required('unit_price'),
    isMoney('unit_price'),
    nonNegative('unit_price'),
    required('amount'),
    isMoney('amount'),
    nonNegative('amount'),
    amountIsProduct('amount', 'quantity', 'unit_price'),
    required('charged_on'),
    isDate('charged_on'),
    [
      `st.settlement_id IS NOT NULL AND NOT s.charged_on::date BETWEEN st.admit_date AND st.discharge_date`,
      `format('charged_on %s is outside the stay %s..%s', s.charged_on, st.admit_date, st.discharge_date)`,
      {
        lookup: 'settlement',
        column: 'settlement_id',
        test: (columns) => {
          const i = columns.indexOf('charged_on');
          return (f, st) =>
            st !== null && st.admit_date !== null && (f[i]! < st.admit_date || f[i]! > st.discharge_date!)
              ? `charged_on ${f[i]} is outside the stay ${st.admit_date}..${st.discharge_date}`
              : null;
        },
      },
    ],
    maxLength('trace_code', 40),
  ],
  sameContent: same([
    ['item_code', 's.item_code'],
    ['item_kind', 's.item_kind'],
    ['item_name', 's.item_name'],
    ['quantity', 's.quantity::numeric'],
    ['unit_price', 's.unit_price::numeric'],
    ['amount', 's.amount::numeric'],
    ['charged_on', 's.charged_on::date'],
    ['trace_code', 's.trace_code'],
  ]),
  direct: {
    table: 'settlement_item',
    computed: [
      {
        name: 'settled_on',
        value: ({ columns }) => {
          const i = columns.indexOf('settlement_id');
          return (f, lookup) => lookup('settlement', f[i]!)!.settled_on;
        },
      },
    ],
  },
  // Items carry their settlement's month; its partitions were made with the settlement.
  insert: (accepted) => [
    `INSERT INTO settlement_item (settlement_id, line_no, settled_on, item_code, item_kind, item_name, quantity,
                                  unit_price, amount, charged_on, trace_code)
     SELECT s.settlement_id, s.line_no::int, k.settled_on, s.item_code, s.item_kind, s.item_name,
            s.quantity::numeric, s.unit_price::numeric, s.amount::numeric, s.charged_on::date, s.trace_code
     FROM ingest_stage s JOIN settlement_key k ON k.settlement_id = s.settlement_id WHERE ${accepted}`,
  ],
};

const drugPurchases: IngestFileSpec = {
  file: 'drug_purchases.csv',
  columns: DICTIONARY_COLUMNS['drug_purchases.csv'],
  key: ['purchase_id'],
  joins: 'LEFT JOIN institution i ON i.code = s.institution_code',
  existing: 'LEFT JOIN drug_purchase e ON e.purchase_id = s.purchase_id',
  checks: [
    required('purchase_id'),
    maxLength('purchase_id', 40),
    required('institution_code'),
    exists('institution_code', 'i', 'code', 'institution'),
    required('item_code'),
    maxLength('item_code', 40),
    required('quantity'),
    isDecimal('quantity'),
    positive('quantity'),
    required('purchased_on'),
    isDate('purchased_on'),
  ],
  sameContent: same([
    ['institution_code', 's.institution_code'],
    ['item_code', 's.item_code'],
    ['quantity', 's.quantity::numeric'],
    ['purchased_on', 's.purchased_on::date'],
  ]),
  direct: { table: 'drug_purchase', computed: [] },
  insert: (accepted) => [
    `INSERT INTO drug_purchase (purchase_id, institution_code, item_code, quantity, purchased_on)
     SELECT s.purchase_id, s.institution_code, s.item_code, s.quantity::numeric, s.purchased_on::date FROM ingest_stage s WHERE ${accepted}`,
  ],
};

// The rule library (RULES.md): a rule row fills the columns of its class and leaves the others empty.
const RULE_CLASSES = ['SEX', 'AGE', 'VISIT_TYPE', 'LEVEL', 'DIAGNOSIS', 'EXCLUSIVE', 'FREQUENCY'] as const;
/** The class-specific columns each rule class uses. */
export const RULE_CLASS_COLUMNS: Record<(typeof RULE_CLASSES)[number], readonly string[]> = {
  SEX: ['gender'],
  AGE: ['min_age', 'max_age'],
  VISIT_TYPE: ['visit_types'],
  LEVEL: ['min_level'],
  DIAGNOSIS: ['diagnosis_prefixes'],
  EXCLUSIVE: ['other_item_code'],
  FREQUENCY: ['max_units', 'period'],
};
const RULE_SPECIFIC = Object.values(RULE_CLASS_COLUMNS).flat();
const usesColumn = (ruleClass: string | null, column: string): boolean =>
  ruleClass !== null && (RULE_CLASS_COLUMNS[ruleClass as keyof typeof RULE_CLASS_COLUMNS] ?? []).includes(column);
const article = (word: string) => (/^[AEIOU]/.test(word) ? 'an' : 'a');

/** A column another class uses must be empty (a misplaced value is a mistake, not a no-op). */
const ruleColumnEmpty = (column: string) =>
  when(['rule_class', column], (ruleClass, value) =>
    ruleClass !== null && value !== null && !usesColumn(ruleClass, column)
      ? `${column} must be empty for ${article(ruleClass)} ${ruleClass} rule`
      : null,
  );
const ruleColumnRequired = (ruleClass: string, column: string) =>
  when(['rule_class', column], (c, value) =>
    c === ruleClass && value === null ? `${column} is required for ${article(ruleClass)} ${ruleClass} rule` : null,
  );
/** A `;`-joined list: no empty element, each one accepted by `valid` (when given). */
const ruleList = (column: string, valid?: readonly string[]) =>
  when([column], (value) => {
    if (value === null) return null;
    const parts = value.split(';');
    if (parts.some((p) => p === '')) return `${column} has an empty element`;
    const bad = valid ? parts.find((p) => !valid.includes(p)) : undefined;
    return bad !== undefined ? `${column} element ${json(bad)} is not one of ${valid!.join(', ')}` : null;
  });
const ageInRange = (column: string) =>
  when([column], (value) =>
    value !== null && (Number(value) < 0 || Number(value) > 150) ? `${column} ${value} is not in 0..150` : null,
  );

const rules: IngestFileSpec = {
  file: 'rules.csv',
  columns: DICTIONARY_COLUMNS['rules.csv'],
  key: ['rule_id'],
  joins: 'LEFT JOIN region r ON r.code = s.region_code',
  // The current version: a reload is compared with what the library holds now.
  existing: 'LEFT JOIN rule e ON e.rule_id = s.rule_id AND e.current',
  checks: [
    required('rule_id'),
    maxLength('rule_id', 40),
    required('rule_class'),
    oneOf('rule_class', RULE_CLASSES),
    required('item_code'),
    maxLength('item_code', 40),
    required('region_code'),
    isRegionCode('region_code'),
    exists('region_code', 'r', 'code', 'region'),
    required('effective_from'),
    isDate('effective_from'),
    isDate('effective_to'),
    when(['effective_to', 'effective_from'], (to, from) =>
      to !== null && from !== null && to < from ? `effective_to ${to} is before effective_from ${from}` : null,
    ),
    ...RULE_SPECIFIC.map(ruleColumnEmpty),
    ruleColumnRequired('SEX', 'gender'),
    oneOf('gender', ['M', 'F']),
    when(['rule_class', 'min_age', 'max_age'], (c, min, max) =>
      c === 'AGE' && min === null && max === null ? 'min_age or max_age is required for an AGE rule' : null,
    ),
    isInteger('min_age'),
    ageInRange('min_age'),
    isInteger('max_age'),
    ageInRange('max_age'),
    when(['min_age', 'max_age'], (min, max) =>
      min !== null && max !== null && Number(min) > Number(max)
        ? `min_age ${min} is greater than max_age ${max}`
        : null,
    ),
    ruleColumnRequired('VISIT_TYPE', 'visit_types'),
    ruleList('visit_types', VISIT_TYPES),
    ruleColumnRequired('LEVEL', 'min_level'),
    oneOf('min_level', ['PRIMARY', 'SECONDARY', 'TERTIARY']),
    ruleColumnRequired('DIAGNOSIS', 'diagnosis_prefixes'),
    ruleList('diagnosis_prefixes'),
    ruleColumnRequired('EXCLUSIVE', 'other_item_code'),
    maxLength('other_item_code', 40),
    when(['other_item_code', 'item_code'], (other, item) =>
      other !== null && other === item ? 'other_item_code equals item_code' : null,
    ),
    ruleColumnRequired('FREQUENCY', 'max_units'),
    isDecimal('max_units'),
    positive('max_units'),
    ruleColumnRequired('FREQUENCY', 'period'),
    oneOf('period', ['DAY', 'SETTLEMENT', 'YEAR']),
    required('description'),
  ],
  sameContent: same([
    ['rule_class', 's.rule_class'],
    ['item_code', 's.item_code'],
    ['region_code', 's.region_code'],
    ['effective_from', 's.effective_from::date'],
    ['effective_to', 's.effective_to::date'],
    ['gender', 's.gender'],
    ['min_age', 's.min_age::int'],
    ['max_age', 's.max_age::int'],
    ['visit_types', `string_to_array(s.visit_types, ';')`],
    ['min_level', 's.min_level'],
    ['diagnosis_prefixes', `string_to_array(s.diagnosis_prefixes, ';')`],
    ['other_item_code', 's.other_item_code'],
    ['max_units', 's.max_units::numeric'],
    ['period', 's.period'],
    ['description', 's.description'],
  ]),
  insert: (accepted) => [
    `INSERT INTO rule (rule_id, rule_class, item_code, region_code, effective_from, effective_to, gender, min_age,
                       max_age, visit_types, min_level, diagnosis_prefixes, other_item_code, max_units, period,
                       description, ingest_file_id)
     SELECT s.rule_id, s.rule_class, s.item_code, s.region_code, s.effective_from::date, s.effective_to::date,
            s.gender, s.min_age::int, s.max_age::int, string_to_array(s.visit_types, ';'), s.min_level,
            string_to_array(s.diagnosis_prefixes, ';'), s.other_item_code, s.max_units::numeric, s.period,
            s.description, :ingestFileId
     FROM ingest_stage s WHERE ${accepted}`,
  ],
};

/**
 * The first row-local check of rules.csv a rule fails, with the reason the loader writes, or
 * null: createRule and updateRule check a rule exactly as a loaded line is checked.
 */
export function ruleRowProblem(values: Partial<Record<string, string | null>>): string | null {
  const fields = rules.columns.map((c) => values[c] ?? null);
  for (const check of rules.checks) {
    if (!isLocalCheck(check)) continue;
    const reason = check.local(rules.columns)(fields);
    if (reason) return reason;
  }
  return null;
}

/** The files of a batch in dependency order. */
export const INGEST_FILES: readonly IngestFileSpec[] = [
  regions,
  institutions,
  persons,
  relations,
  priceCatalog,
  settlements,
  settlementItems,
  drugPurchases,
  rules,
];
