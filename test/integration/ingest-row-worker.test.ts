/**
 * The direct path's rows split, checked and encoded on row workers (row-worker.ts): the same
 * rows, rejections (file:line: reason, in order) and quarantine as on the loader's own thread,
 * with one worker and with two taking the chunks in turn; a key rejected in one worker's chunk
 * and repeated in the other's hands the file to the staged path as on the loader's thread; a
 * worker that dies fails its file with nothing of it loaded.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rowWorkerTesting } from '../../src/domain/ingest/row-worker';
import { IngestBatchError, ingestBatch, IngestOptions } from '../../src/domain/ingest/ingest.service';
import { createTestEnv, TestEnv } from '../support/harness';
import { contents, decrypted, paths } from '../support/ingest';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ingest');

async function load(t: TestEnv, folder: string, options: IngestOptions) {
  const rejections: string[] = [];
  const summary = await ingestBatch(t.services, folder, { ...options, onReject: (line) => rejections.push(line) });
  return { summary, rejections };
}

/** An outpatient item of S002 (no stay to check); quantity 0 is rejected. */
const item = (line: number, quantity = '1') =>
  `S002,${line},001101000010000,BED,床位费,${quantity},50.00,${quantity === '1' ? '50.00' : '0.00'},2025-03-31,`;

/** The valid batch with a longer items file (many 200-byte chunks); `extra` rows appended. */
function batchWith(extra: string[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'ingest-row-worker-'));
  cpSync(join(FIXTURES, 'valid'), folder, { recursive: true });
  const items = readFileSync(join(folder, 'settlement_items.csv'), 'utf8').trimEnd();
  writeFileSync(join(folder, 'settlement_items.csv'), `${[items, ...extra].join('\n')}\n`);
  return folder;
}

describe('ingest: rows on row workers', () => {
  const envs: TestEnv[] = [];
  const env = async () => {
    const t = await createTestEnv();
    envs.push(t);
    return t;
  };
  const folders: string[] = [];
  afterAll(async () => {
    rowWorkerTesting.crashAtJob = -1;
    for (const t of envs) await t.close();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  // Chunks of 200 bytes: a few rows each, every chunk through a worker.
  const reference = { rowWorkers: 0, cryptoWorker: false, chunkBytes: 200 };

  it.each([
    ['rejects', 1],
    ['rejects', 2],
    ['valid', 1],
    ['valid', 2],
  ])('%s with %i worker(s): the same rows, rejections and quarantine as on the loader thread', async (name, workers) => {
    const folder = join(FIXTURES, name as string);
    const [ours, inline] = [await env(), await env()];
    const jobs = rowWorkerTesting.jobs;
    const result = await load(ours, folder, { rowWorkers: workers as number, chunkBytes: 200 });
    expect(rowWorkerTesting.jobs).toBeGreaterThan(jobs);
    expect(result).toEqual(await load(inline, folder, reference));
    if (name === 'rejects') {
      const expected = readFileSync(join(FIXTURES, 'rejects.expected.txt'), 'utf8').trimEnd().split('\n');
      expect(result.rejections).toEqual(expected);
      expect((await paths(ours))['persons.csv']).toBe('DIRECT');
    }
    expect(await contents(ours)).toEqual(await contents(inline));
    const values = await decrypted(ours);
    expect(values.length).toBeGreaterThan(0);
    expect(values).toEqual(await decrypted(inline));
  });

  it('rejections spread over both workers’ chunks: loaded directly, reported in line order', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => item(10 + i, i % 7 === 3 ? '0' : '1'));
    const folder = batchWith(rows);
    folders.push(folder);
    const [ours, inline] = [await env(), await env()];
    const result = await load(ours, folder, { rowWorkers: 2, chunkBytes: 200 });
    expect(result).toEqual(await load(inline, folder, reference));
    const rejected = result.rejections.filter((r) => r.startsWith('settlement_items.csv'));
    expect(rejected).toHaveLength(6);
    expect(rejected[0]).toBe('settlement_items.csv:11: quantity 0 is not greater than 0');
    expect((await paths(ours))['settlement_items.csv']).toBe('DIRECT');
    expect(await contents(ours)).toEqual(await contents(inline));
  });

  it.each([0, 1, 2])(
    'a key rejected in one chunk and repeated in a later one (%i worker(s)): the staged path decides, as without workers',
    async (workers) => {
      // Line 8: rejected (quantity 0); the same key again a few chunks later, valid. (Without
      // workers too: the new month's COPY failing in the load table's search_path hands over.)
      const rows = [item(50, '0'), ...Array.from({ length: 8 }, (_, i) => item(10 + i)), item(50)];
      const folder = batchWith(rows);
      folders.push(folder);
      const [ours, inline] = [await env(), await env()];
      const result = await load(ours, folder, { rowWorkers: workers, chunkBytes: 200 });
      expect(result).toEqual(await load(inline, folder, reference));
      expect(result.rejections).toContain('settlement_items.csv:8: quantity 0 is not greater than 0');
      expect((await paths(ours))['settlement_items.csv']).toBe('STAGED');
      expect((await paths(inline))['settlement_items.csv']).toBe('STAGED');
      expect(await contents(ours)).toEqual(await contents(inline));
    },
  );

  it.each([
    [0, undefined],
    [2, 200],
  ])(
    'a record missing a field fails its file at its own line (%i workers; was the line after the chunk)',
    async (workers, chunkBytes) => {
      const folder = mkdtempSync(join(tmpdir(), 'ingest-row-worker-'));
      folders.push(folder);
      for (const file of ['regions.csv', 'institutions.csv']) cpSync(join(FIXTURES, 'valid', file), join(folder, file));
      const lines = readFileSync(join(FIXTURES, 'valid', 'persons.csv'), 'utf8').trimEnd().split('\n');
      lines[2] = lines[2].split(',').slice(0, -1).join(',');
      writeFileSync(join(folder, 'persons.csv'), `${lines.join('\n')}\n`);
      const t = await env();
      await expect(load(t, folder, { rowWorkers: workers, chunkBytes })).rejects.toThrow(
        'persons.csv:3: unreadable CSV: missing data for column "bank_account"',
      );
    },
  );

  it('a worker that dies fails its file: nothing of it loaded, the files before it kept', async () => {
    const t = await env();
    rowWorkerTesting.crashAtJob = 1;
    let failure: IngestBatchError | null = null;
    try {
      await load(t, join(FIXTURES, 'valid'), { rowWorkers: 1, chunkBytes: 200 });
    } catch (error) {
      if (!(error instanceof IngestBatchError)) throw error;
      failure = error;
    } finally {
      rowWorkerTesting.crashAtJob = -1;
    }
    expect(failure?.message).toBe('persons.csv: the row worker stopped (exit code 70)');
    expect(Object.keys(failure!.summary.files)).toEqual(['regions.csv', 'institutions.csv']);
    const log = await t.services.db.query(`SELECT file_name, status, error FROM ingest_file ORDER BY id`);
    expect(log).toEqual([
      { file_name: 'regions.csv', status: 'LOADED', error: null },
      { file_name: 'institutions.csv', status: 'LOADED', error: null },
      { file_name: 'persons.csv', status: 'FAILED', error: failure!.message },
    ]);
    const [{ n }] = await t.services.db.query('SELECT count(*)::int AS n FROM person');
    expect(n).toBe(0);

    // The next attempt loads everything.
    const again = await load(t, join(FIXTURES, 'valid'), { rowWorkers: 1, chunkBytes: 200 });
    expect(again.summary.files['persons.csv']).toEqual({ read: 4, loaded: 4, rejected: 0, duplicates: 0 });
    expect(again.rejections).toEqual([]);
    expect(await decrypted(t)).toHaveLength(4);
  });
});
