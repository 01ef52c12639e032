/**
 * The direct path's keyed hashes and encryptions on a worker thread (crypto-worker.ts): the
 * same rows, rejections and quarantine as on the loader's own thread, ciphertexts that decrypt
 * to the values their hashes are of, and a worker that dies failing its file cleanly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cryptoWorkerTesting } from '../../src/domain/ingest/crypto-worker';
import { IngestBatchError, ingestBatch, IngestOptions } from '../../src/domain/ingest/ingest.service';
import { createTestEnv, TestEnv } from '../support/harness';
import { contents, decrypted, paths } from '../support/ingest';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ingest');

async function load(t: TestEnv, folder: string, options: IngestOptions) {
  const rejections: string[] = [];
  const summary = await ingestBatch(t.services, join(FIXTURES, folder), {
    ...options,
    onReject: (line) => rejections.push(line),
  });
  return { summary, rejections };
}

describe('ingest: hashes and encryptions on a worker thread', () => {
  let worker: TestEnv;
  let inline: TestEnv;
  beforeAll(async () => {
    worker = await createTestEnv();
    inline = await createTestEnv();
  });
  afterAll(async () => {
    cryptoWorkerTesting.crashAtJob = -1;
    await worker.close();
    await inline.close();
  });

  // The rejects first: their expected lines are those of a first load.
  it.each(['rejects', 'valid'])(
    '%s: the same rows, rejections (file:line: reason) and quarantine as without the worker',
    async (folder) => {
      const jobs = cryptoWorkerTesting.jobs;
      // Chunks of 200 bytes: a few rows each, every chunk's hashes and ciphertexts from the worker.
      const ours = await load(worker, folder, { cryptoWorker: true, rowWorkers: 0, chunkBytes: 200 });
      expect(cryptoWorkerTesting.jobs).toBeGreaterThan(jobs);
      const reference = await load(inline, folder, { cryptoWorker: false, rowWorkers: 0, chunkBytes: 200 });
      expect(ours).toEqual(reference);
      if (folder === 'rejects') {
        // Bad rows in chunks whose good rows went through the worker, reported as always.
        const expected = readFileSync(join(FIXTURES, 'rejects.expected.txt'), 'utf8').trimEnd().split('\n');
        expect(ours.rejections).toEqual(expected);
        expect(ours.rejections).toContain('persons.csv:6: id_number 610302********0017 fails the GB 11643 check');
      }
      // A first load: persons and their rejections on the direct path (later loads find the keys).
      if (folder === 'rejects') expect((await paths(worker))['persons.csv']).toBe('DIRECT');
      expect(await contents(worker)).toEqual(await contents(inline));
      const values = await decrypted(worker);
      expect(values.length).toBeGreaterThan(0);
      expect(values).toEqual(await decrypted(inline));
    },
  );

  it('a worker that dies fails its file: nothing of it loaded, the files before it kept', async () => {
    const t = await createTestEnv();
    try {
      cryptoWorkerTesting.crashAtJob = 1;
      let failure: IngestBatchError | null = null;
      try {
        await load(t, 'valid', { cryptoWorker: true, rowWorkers: 0, chunkBytes: 200 });
      } catch (error) {
        if (!(error instanceof IngestBatchError)) throw error;
        failure = error;
      }
      expect(failure?.message).toBe('persons.csv: the encryption worker stopped (exit code 70)');
      expect(Object.keys(failure!.summary.files)).toEqual(['regions.csv', 'institutions.csv']);
      const log = await t.services.db.query(`SELECT file_name, status, error FROM ingest_file ORDER BY id`);
      expect(log).toEqual([
        { file_name: 'regions.csv', status: 'LOADED', error: null },
        { file_name: 'institutions.csv', status: 'LOADED', error: null },
        { file_name: 'persons.csv', status: 'FAILED', error: failure!.message },
      ]);
      const [{ n }] = await t.services.db.query('SELECT count(*)::int AS n FROM person');
      expect(n).toBe(0);

      // The next attempt loads the file completely.
      cryptoWorkerTesting.crashAtJob = -1;
      const again = await load(t, 'valid', { cryptoWorker: true, rowWorkers: 0, chunkBytes: 200 });
      expect(again.summary.files['persons.csv']).toEqual({ read: 4, loaded: 4, rejected: 0, duplicates: 0 });
      expect(again.rejections).toEqual([]);
      const values = await decrypted(t);
      expect(values).toHaveLength(4);
      // What the file says, decrypted.
      const [header, ...rows] = readFileSync(join(FIXTURES, 'valid', 'persons.csv'), 'utf8')
        .trimEnd()
        .split('\n');
      const columns = header.split(',');
      const at = (row: string, column: string) => row.split(',')[columns.indexOf(column)] || '-';
      expect(values).toEqual(
        rows.map((row) => [at(row, 'person_id'), at(row, 'id_number'), at(row, 'bank_account')].join(' ')).sort(),
      );
    } finally {
      cryptoWorkerTesting.crashAtJob = -1;
      await t.close();
    }
  });
});
