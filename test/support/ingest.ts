/** What the ingest tests compare between two ways of loading the same batch. */
import { FACT_TABLES } from '../../src/collision/fact-statistics';
import { decryptPersonalData } from '../../src/domain/reference/personal-data';
import { TestEnv } from './harness';

/** Every fact table's rows (ciphertexts and ingest ids left out: the IVs are random), and the quarantine. */
export async function contents(t: TestEnv): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of FACT_TABLES) {
    result[table] = (
      await t.services.db.query(
        `SELECT to_jsonb(x) - 'id_number_enc' - 'bank_account_enc' - 'payee_account_enc' - 'ingest_file_id' AS r
         FROM ${table} x ORDER BY 1::text`,
      )
    ).map((row: { r: unknown }) => row.r);
  }
  result.quarantine = await t.services.db.query(
    'SELECT file_name, line, reason, raw FROM ingest_quarantine ORDER BY file_name, line',
  );
  return result;
}

/** Every person's ciphertexts decrypted, checked against their keyed hashes. */
export async function decrypted(t: TestEnv): Promise<string[]> {
  type Row = { person_id: string; enc: (Buffer | null)[]; hash: (Buffer | null)[] };
  const persons = await t.services.db.query<Row[]>(
    `SELECT person_id, ARRAY[id_number_enc, bank_account_enc] AS enc, ARRAY[id_number_hash, bank_account_hash] AS hash
     FROM person ORDER BY person_id`,
  );
  const keys = t.services.personalDataKeys;
  return persons.map((p) =>
    [p.person_id, ...p.enc.map((enc, i) => (enc ? decryptPersonalData(keys, enc, p.hash[i]) : '-'))].join(' '),
  );
}

/** Each file's last load path (direct or staged). */
export const paths = async (t: TestEnv) =>
  Object.fromEntries(
    (
      await t.services.db.query<{ file_name: string; load_path: string }[]>(
        `SELECT DISTINCT ON (file_name) file_name, load_path FROM ingest_file ORDER BY file_name, id DESC`,
      )
    ).map((r) => [r.file_name, r.load_path]),
  );
