import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackgroundGenerator } from './background';
import { BatchFileName, readBatchFolder } from './batch';
import { BatchWriter, IdNumberIssuer } from './batch-writer';
import { SynthCatalog } from './catalog';
import { computeExpectedHits, ExpectedHits, ModelCode } from './oracle';
import { PLANTED_SPAN_DAYS, plantCases } from './planted';
import { Prng } from './prng';
import { CITIES, PROVINCE } from './reference-data';
import { daysBetween, isValidDate } from './time';

export interface SynthOptions {
  outDir: string;
  /** 1 ≈ 20k settlements a month; fractions allowed (≥ 0.05). */
  scale: number;
  seed: number;
  from: string;
  to: string;
  /** Compute expected-hits.json (memory grows with the batch: meant for scale ≤ 5). */
  withExpectedHits: boolean;
}

export interface SynthResult {
  out: string;
  files: Record<BatchFileName, number>;
  planted: number;
  expectedHits?: Record<ModelCode, number>;
}

export const DEFAULT_WINDOW = { from: '2025-03-01', to: '2025-03-31' };

/** Rejects options the planted cases cannot honour, with a message naming the option. */
export function validateSynthOptions(options: SynthOptions): void {
  if (!Number.isFinite(options.scale) || options.scale < 0.05) throw new Error('--scale must be a number ≥ 0.05');
  if (!Number.isInteger(options.seed) || options.seed < 0) throw new Error('--seed must be a non-negative integer');
  if (!isValidDate(options.from) || !isValidDate(options.to))
    throw new Error('--from and --to must be YYYY-MM-DD dates');
  // Planted cases are laid out on days 0..27 of one calendar month starting at `from`.
  if (!options.from.endsWith('-01')) throw new Error('--from must be the first day of a month');
  if (daysBetween(options.from, options.to) + 1 < PLANTED_SPAN_DAYS) {
    throw new Error(`the window must cover at least ${PLANTED_SPAN_DAYS} days`);
  }
}

/**
 * Generates a synthetic batch (合成数据批次) into `outDir`: reference data, a streamed
 * background month, the planted cases, planted.json and, when asked, expected-hits.json.
 */
export async function generateSyntheticBatch(options: SynthOptions): Promise<SynthResult> {
  validateSynthOptions(options);
  mkdirSync(options.outDir, { recursive: true });
  const catalog = new SynthCatalog();
  const idNumbers = new IdNumberIssuer(new Prng(options.seed, 'id-numbers'));
  const writer = new BatchWriter(options.outDir, catalog);
  const background = new BackgroundGenerator(writer, catalog, idNumbers, options);
  const planted = plantCases({ ...options, catalog, idNumbers });

  writer.writeRegion(PROVINCE.code, PROVINCE.name, 'PROVINCE', '');
  for (const city of CITIES) {
    writer.writeRegion(city.code, city.name, 'CITY', PROVINCE.code);
    for (const [code, name] of city.counties) writer.writeRegion(code, name, 'COUNTY', city.code);
  }
  background.writeInstitutions();
  for (const institution of planted.institutions) writer.writeInstitution(institution);
  await background.writePersons();
  for (const person of planted.persons) writer.writePerson(person);
  background.writeRelations();
  for (const relation of planted.relations) writer.writeRelation(relation);
  writer.writeCatalog();
  for (const rule of planted.rules) writer.writeRule(rule);
  await writer.ready();

  await background.writeSettlements();
  for (const settlement of planted.settlements) {
    writer.writeSettlement(settlement);
    await writer.ready();
  }
  background.writeCoveringPurchases(planted.selfStockedPharmacies);
  for (const purchase of planted.purchases) writer.writePurchase(purchase);
  const files = await writer.close();

  writeFileSync(
    join(options.outDir, 'planted.json'),
    JSON.stringify({ from: options.from, to: options.to, cases: planted.cases }, null, 2) + '\n',
  );
  const result: SynthResult = { out: options.outDir, files, planted: planted.cases.length };
  if (options.withExpectedHits) {
    const expected = computeExpectedHits(readBatchFolder(options.outDir), { from: options.from, to: options.to });
    writeExpectedHits(options.outDir, expected);
    result.expectedHits = Object.fromEntries(
      Object.entries(expected.hits).map(([code, hits]) => [code, hits.length]),
    ) as Record<ModelCode, number>;
  }
  return result;
}

export function writeExpectedHits(outDir: string, expected: ExpectedHits): void {
  writeFileSync(join(outDir, 'expected-hits.json'), JSON.stringify(expected, null, 2) + '\n');
}
