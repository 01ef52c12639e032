import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidIdNumber } from '../../src/domain/reference/id-number';
import { BATCH_COLUMNS, BATCH_FILE_NAMES, readBatchFolder } from '../../src/synth/batch';
import { parseMoneyFen, parseScaledDecimal, QUANTITY_SCALE, divideRoundHalfUp } from '../../src/synth/decimal';
import { generateSyntheticBatch, SynthOptions } from '../../src/synth/generator';
import { ExpectedHits, MODEL_CODES } from '../../src/synth/oracle';
import { PlantedCase } from '../../src/synth/planted';

const WINDOW = { from: '2025-03-01', to: '2025-03-31' };

function options(outDir: string, seed = 7): SynthOptions {
  return { outDir, scale: 0.2, seed, ...WINDOW, withExpectedHits: true };
}

describe('synthetic batch generator (npm run synth)', () => {
  let root: string;
  let first: string;
  let planted: PlantedCase[];
  let expected: ExpectedHits;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'synth-test-'));
    first = join(root, 'first');
    await generateSyntheticBatch(options(first));
    planted = JSON.parse(readFileSync(join(first, 'planted.json'), 'utf8')).cases;
    expected = JSON.parse(readFileSync(join(first, 'expected-hits.json'), 'utf8'));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes byte-identical files for the same seed and scale', async () => {
    const second = join(root, 'second');
    await generateSyntheticBatch(options(second));
    const names = readdirSync(first).sort();
    expect(readdirSync(second).sort()).toEqual(names);
    for (const name of names)
      expect(readFileSync(join(second, name)).equals(readFileSync(join(first, name)))).toBe(true);
  });

  it('writes a different batch for another seed', async () => {
    const other = join(root, 'other-seed');
    await generateSyntheticBatch({ ...options(other, 8), withExpectedHits: false });
    expect(readFileSync(join(other, 'settlements.csv')).equals(readFileSync(join(first, 'settlements.csv')))).toBe(
      false,
    );
  });

  it('gives every file exactly the header of the data dictionary', () => {
    for (const name of BATCH_FILE_NAMES) {
      const header = readFileSync(join(first, name), 'utf8').split('\n', 1)[0];
      expect(header).toBe(BATCH_COLUMNS[name].join(','));
    }
  });

  it('issues valid, unique ID numbers whose region and birth date are the person’s', () => {
    const persons = readBatchFolder(first).persons;
    const withId = persons.filter((p) => p.id_number !== '');
    expect(withId.length).toBeGreaterThan(persons.length * 0.9);
    for (const person of withId) {
      expect(isValidIdNumber(person.id_number)).toBe(true);
      expect(person.id_number.slice(0, 6)).toBe(person.region_code);
      expect(person.id_number.slice(6, 14)).toBe(person.birth_date.replace(/-/g, ''));
    }
    expect(new Set(withId.map((p) => p.id_number)).size).toBe(withId.length);
  });

  it('keeps money exact: total = fund + self and amount = quantity × unit price', () => {
    const batch = readBatchFolder(first);
    for (const s of batch.settlements) {
      expect(parseMoneyFen(s.total_amount)).toBe(parseMoneyFen(s.fund_amount) + parseMoneyFen(s.self_amount));
      expect(parseMoneyFen(s.fund_amount) >= 0n && parseMoneyFen(s.self_amount) >= 0n).toBe(true);
    }
    for (const line of batch.settlementItems) {
      const product = divideRoundHalfUp(
        parseScaledDecimal(line.quantity) * parseMoneyFen(line.unit_price),
        QUANTITY_SCALE,
      );
      expect(parseMoneyFen(line.amount)).toBe(product);
    }
  });

  it('writes settled_at with +08:00, without offset and in UTC', () => {
    const stamps = readBatchFolder(first).settlements.map((s) => s.settled_at);
    expect(stamps.some((t) => t.endsWith('+08:00'))).toBe(true);
    expect(stamps.some((t) => t.endsWith('Z'))).toBe(true);
    expect(stamps.some((t) => /T\d{2}:\d{2}:\d{2}$/.test(t))).toBe(true);
  });

  it('has inpatient lines inside the stay and unique trace codes outside the planted cases', () => {
    const batch = readBatchFolder(first);
    const stays = new Map(
      batch.settlements.filter((s) => s.visit_type === 'INPATIENT').map((s) => [s.settlement_id, s]),
    );
    for (const line of batch.settlementItems) {
      const stay = stays.get(line.settlement_id);
      if (stay) expect(line.charged_on >= stay.admit_date && line.charged_on <= stay.discharge_date).toBe(true);
    }
    const background = batch.settlementItems.filter((l) => l.trace_code.startsWith('81')).map((l) => l.trace_code);
    expect(new Set(background).size).toBe(background.length);
  });

  it('plants at least three positives and one trap of every model', () => {
    for (const model of MODEL_CODES) {
      expect(planted.filter((c) => c.model === model && c.expect === 'HIT').length).toBeGreaterThanOrEqual(3);
      expect(planted.filter((c) => c.model === model && c.expect === 'NO_HIT').length).toBeGreaterThanOrEqual(1);
    }
  });

  it.each(MODEL_CODES)('%s: the oracle finds every planted positive and none of the traps', (model) => {
    const hits = new Map(expected.hits[model].map((h) => [h.hitKey, h]));
    for (const plantedCase of planted.filter((c) => c.model === model)) {
      const found = hits.get(plantedCase.hitKey);
      if (plantedCase.expect === 'NO_HIT') {
        expect({ trap: plantedCase.description, found: found?.hitKey }).toEqual({
          trap: plantedCase.description,
          found: undefined,
        });
        continue;
      }
      expect({ positive: plantedCase.description, found: found?.hitKey }).toEqual({
        positive: plantedCase.description,
        found: plantedCase.hitKey,
      });
      if (plantedCase.amountInvolved) expect(found!.amountInvolved).toBe(plantedCase.amountInvolved);
    }
  });

  it('writes expected hits sorted by key, with the window and default parameters', () => {
    expect(expected.from).toBe(WINDOW.from);
    expect(expected.to).toBe(WINDOW.to);
    expect(expected.params.SPLIT_ADMISSION.maxGapDays).toBe(15);
    for (const model of MODEL_CODES) {
      const keys = expected.hits[model].map((h) => h.hitKey);
      expect(keys).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      for (const hit of expected.hits[model]) {
        expect(hit.amountInvolved).toMatch(/^\d+\.\d{2}$/);
        expect(hit.settlementIds.length).toBeGreaterThan(0);
        expect(hit.personIds.length).toBeGreaterThan(0);
      }
    }
  });

  it('refuses a window that does not start on the first of a month', async () => {
    await expect(generateSyntheticBatch({ ...options(join(root, 'bad')), from: '2025-03-02' })).rejects.toThrow(
      /first day/,
    );
  });
});
