/**
 * Real claims into a batch folder: the inpatient claims of the Kaggle "Healthcare Provider
 * Fraud Detection Analysis" data (../shared/realdata/kaggle-provider-fraud, US Medicare-style)
 * written in the format of DATA-DICTIONARY.md, to run ingest and the stay-based models on data
 * nobody here generated. What the mapping does (docs/REALDATA.md):
 *
 *   - one INPATIENT settlement per claim: ClaimID, BeneID, Provider, AdmissionDt/DischargeDt
 *     (m/d/yyyy → ISO), settled at noon (+08:00) on the discharge day; fund = InscClaimAmtReimbursed,
 *     self = DeductibleAmtPaid (empty → 0), total = their sum; doctor = AttendingPhysician;
 *     dip_group = DiagnosisGroupCode;
 *   - diagnosis: ClmDiagnosisCode_1, else ClmAdmitDiagnosisCode, ICD-9 written in the ICD-10
 *     shape the dictionary checks, keeping the 3-character category (dx3) one-to-one: a numeric
 *     category `ddd` becomes letter K+d₁ and d₂d₃ (578 → P78), V and E codes keep their letter
 *     (V5789 → V57.89); the digits after the category follow the dot;
 *   - one person per BeneID and per attending physician, one HOSPITAL per Provider, all in one county: the file carries no
 *     demographics or provider details, so gender `F`, birth date 1940-01-01, no id number and
 *     ownership/level placeholders are written — no model under test reads them;
 *   - nothing is dropped or repaired: claims the dictionary rejects are rejected by ingest.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_COLUMNS } from '../synth/batch';
import { csvField, parseCsv } from '../synth/csv';

export const KAGGLE_INPATIENT_FILE = 'Test_Inpatientdata-1542969243754.csv';

const PROVINCE = '610000';
const CITY = '610100';
const COUNTY = '610102';

/** m/d/yyyy → yyyy-mm-dd; '' stays ''; anything else is kept as written (ingest judges it). */
export function isoDate(value: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  return m ? `${m[3]}-${m[1].padStart(2, '0')}-${m[2].padStart(2, '0')}` : value;
}

/** An ICD-9 code in the ICD-10 shape, its category kept one-to-one (see above); '' stays ''. */
export function icd9AsIcd10(code: string): string {
  if (code === '') return '';
  const numeric = /^(\d)(\d{2})(\d*)$/.exec(code);
  if (numeric)
    return `${String.fromCharCode(75 + Number(numeric[1]))}${numeric[2]}${numeric[3] ? `.${numeric[3]}` : ''}`;
  const lettered = /^([VE])(\d{2})(\d*)$/.exec(code);
  if (lettered) return `${lettered[1]}${lettered[2]}${lettered[3] ? `.${lettered[3]}` : ''}`;
  return code;
}

function writeCsv(path: string, columns: readonly string[], rows: Record<string, string>[]): void {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c] ?? '')).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export interface MappedBatch {
  claims: number;
  persons: number;
  institutions: number;
  /** First and last settled day. */
  from: string;
  to: string;
}

/** Writes regions, institutions, persons and settlements of the claims file into `outDir`. */
export function mapKaggleInpatient(claimsPath: string, outDir: string): MappedBatch {
  const [header, ...records] = parseCsv(readFileSync(claimsPath, 'utf8')).filter((r) => !(r.length === 1 && !r[0]));
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${claimsPath}: no column ${name}`);
    return i;
  };
  const col = Object.fromEntries(
    [
      'BeneID',
      'ClaimID',
      'Provider',
      'InscClaimAmtReimbursed',
      'AttendingPhysician',
      'AdmissionDt',
      'ClmAdmitDiagnosisCode',
      'DeductibleAmtPaid',
      'DischargeDt',
      'DiagnosisGroupCode',
      'ClmDiagnosisCode_1',
    ].map((name) => [name, at(name)]),
  );
  const persons = new Set<string>();
  const providers = new Set<string>();
  const settlements: Record<string, string>[] = [];
  let from = '9999-12-31';
  let to = '0000-01-01';
  for (const r of records) {
    const fund = r[col.InscClaimAmtReimbursed];
    const self = r[col.DeductibleAmtPaid] || '0';
    const total = /^\d+$/.test(fund) && /^\d+$/.test(self) ? String(Number(fund) + Number(self)) : fund;
    const discharge = isoDate(r[col.DischargeDt]);
    persons.add(r[col.BeneID]);
    if (r[col.AttendingPhysician]) persons.add(r[col.AttendingPhysician]);
    providers.add(r[col.Provider]);
    if (discharge < from) from = discharge;
    if (discharge > to) to = discharge;
    settlements.push({
      settlement_id: r[col.ClaimID],
      person_id: r[col.BeneID],
      institution_code: r[col.Provider],
      visit_type: 'INPATIENT',
      admit_date: isoDate(r[col.AdmissionDt]),
      discharge_date: discharge,
      settled_at: `${discharge}T12:00:00+08:00`,
      diagnosis_code: icd9AsIcd10(r[col.ClmDiagnosisCode_1] || r[col.ClmAdmitDiagnosisCode]),
      dip_group: r[col.DiagnosisGroupCode],
      total_amount: total,
      fund_amount: fund,
      self_amount: self,
      payee_account: '',
      doctor_id: r[col.AttendingPhysician],
    });
  }
  writeCsv(join(outDir, 'regions.csv'), BATCH_COLUMNS['regions.csv'], [
    { code: PROVINCE, name: '陕西省', level: 'PROVINCE', parent_code: '' },
    { code: CITY, name: '西安市', level: 'CITY', parent_code: PROVINCE },
    { code: COUNTY, name: '新城区', level: 'COUNTY', parent_code: CITY },
  ]);
  writeCsv(
    join(outDir, 'institutions.csv'),
    BATCH_COLUMNS['institutions.csv'],
    [...providers].sort().map((code) => ({
      code,
      name: `Provider ${code}`,
      kind: 'HOSPITAL',
      level: 'SECONDARY',
      ownership: 'PRIVATE',
      region_code: COUNTY,
    })),
  );
  writeCsv(
    join(outDir, 'persons.csv'),
    BATCH_COLUMNS['persons.csv'],
    [...persons].sort().map((id) => ({
      person_id: id,
      name: id,
      gender: 'F',
      birth_date: '1940-01-01',
      region_code: COUNTY,
      is_public_official: 'false',
    })),
  );
  writeCsv(join(outDir, 'settlements.csv'), BATCH_COLUMNS['settlements.csv'], settlements);
  return { claims: settlements.length, persons: persons.size, institutions: providers.size, from, to };
}
