import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestBatchError, ingestBatch } from '../../src/domain/ingest/ingest.service';
import { createTestEnv, TestEnv } from '../support/harness';

const VALID = join(__dirname, '..', 'fixtures', 'ingest', 'valid');

/**
 * What the ingest fuzzer (bench/fuzz/csv.ts, issue 16 item 5) found: a reason quoting a value
 * with a line break (a quoted field, or a CR line end in a file of LF ones) split its
 * `file:line: reason` line — and could forge another file's line (issue 16, item 6).
 */
describe('ingest: hostile values in the rejection lines', () => {
  let t: TestEnv;
  let folder: string;

  beforeAll(async () => {
    t = await createTestEnv();
    folder = mkdtempSync(join(tmpdir(), 'ingest-hostile-'));
    for (const file of ['regions.csv', 'institutions.csv', 'persons.csv'])
      copyFileSync(join(VALID, file), join(folder, file));
    writeFileSync(
      join(folder, 'relations.csv'),
      'person_a,person_b,kind\n"P001\r\nsettlements.csv:9: forged",P002,SPOUSE\n\rD001,P001,RELATIVE\nP001,P002,SPOUSE\n',
    );
  });
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await t.close();
  });

  it('each rejection is one line, with the control characters of the value escaped', async () => {
    const lines: string[] = [];
    const summary = await ingestBatch(t.services, folder, { onReject: (line) => lines.push(line) });
    expect(summary.files['relations.csv']).toEqual({ read: 3, loaded: 1, rejected: 2, duplicates: 0 });
    expect(lines).toEqual([
      'relations.csv:2: person_a P001\\r\\nsettlements.csv:9: forged does not exist',
      'relations.csv:4: person_a \\rD001 does not exist',
    ]);
  });

  it('a file with bytes that are not UTF-8 is refused at the line they are on', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'ingest-hostile-'));
    try {
      copyFileSync(join(VALID, 'regions.csv'), join(bad, 'regions.csv'));
      const [header, first, ...rest] = readFileSync(join(VALID, 'institutions.csv'), 'utf8').split('\n');
      // Line 3: a name cut inside a three-byte character.
      const line3 = Buffer.concat([
        Buffer.from('610303,H610303009,'),
        Buffer.from('渭').subarray(0, 2),
        Buffer.from(',HOSPITAL,SECONDARY,PUBLIC\n'),
      ]);
      writeFileSync(
        join(bad, 'institutions.csv'),
        Buffer.concat([Buffer.from(`${header}\n${first}\n`), line3, Buffer.from(rest.join('\n'))]),
      );
      const error = await ingestBatch(t.services, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IngestBatchError);
      expect((error as Error).message).toBe('institutions.csv:3: unreadable CSV: invalid UTF-8 byte sequence');
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it.each([
    ['institutions.csv', 'the staged path'],
    ['persons.csv', 'the direct path'],
  ])('a NUL byte in %s (%s) refuses the file at its line', async (file) => {
    const bad = mkdtempSync(join(tmpdir(), 'ingest-hostile-'));
    try {
      for (const f of ['regions.csv', 'institutions.csv', 'persons.csv']) copyFileSync(join(VALID, f), join(bad, f));
      const lines = readFileSync(join(VALID, file), 'utf8').split('\n');
      lines[2] = `${lines[2].slice(0, 12)}\u0000${lines[2].slice(12)}`;
      writeFileSync(join(bad, file), lines.join('\n'));
      const error = await ingestBatch(t.services, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IngestBatchError);
      expect((error as Error).message).toBe(`${file}:3: unreadable CSV: NUL character (0x00)`);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
