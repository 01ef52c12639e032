import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ingest (数据归集) helpers: the set-based checks the loader runs over a staged file
 * (calendar dates, ISO 8601 timestamps, GB 11643 check characters, masks of personal
 * data), and the ingest log's extra states: LOADING (an attempt in progress, or one that
 * was killed — its file transaction left nothing behind) and SKIPPED (a file already
 * LOADED with the same checksum).
 */
export class Ingest1763900150000 implements MigrationInterface {
  name = 'Ingest1763900150000';

  public async up(q: QueryRunner): Promise<void> {
    // A real calendar date written YYYY-MM-DD. Plain SQL so that the planner inlines it.
    await q.query(`
      CREATE FUNCTION ingest_is_date(value text) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT value ~ '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$'
           AND substr(value, 9, 2)::int <= CASE substr(value, 6, 2)::int
                 WHEN 2 THEN CASE WHEN (substr(value, 1, 4)::int % 4 = 0 AND substr(value, 1, 4)::int % 100 <> 0)
                                    OR substr(value, 1, 4)::int % 400 = 0 THEN 29 ELSE 28 END
                 WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30
                 ELSE 31 END
      $$`);
    // ISO 8601 date-time, with or without an offset (Z, +08, +08:00, +0800).
    await q.query(`
      CREATE FUNCTION ingest_is_timestamp(value text) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT value ~ '^\\d{4}-\\d{2}-\\d{2}[T ]([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d{1,6})?)?(Z|[+-]\\d{2}(:?[0-5]\\d)?)?$'
           AND ingest_is_date(substr(value, 1, 10))
      $$`);
    // A timestamp without an offset is Asia/Shanghai time, whatever the session's zone.
    await q.query(`
      CREATE FUNCTION ingest_timestamp(value text) RETURNS timestamptz
      LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN value ~ '(Z|[+-]\\d{2}(:?\\d{2})?)$' THEN value::timestamptz
                    ELSE value::timestamp AT TIME ZONE 'Asia/Shanghai' END
      $$`);
    // 居民身份证号码 (GB 11643-1999): 17 digits with a valid birth date, then the ISO 7064
    // MOD 11-2 check character. Same rule as isValidIdNumber in id-number.ts.
    const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const weightedSum = weights.map((w, i) => `substr(value, ${i + 1}, 1)::int * ${w}`).join(' + ');
    await q.query(`
      CREATE FUNCTION gb11643_is_valid(value text) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN value ~ '^\\d{17}[\\dX]$'
                     AND ingest_is_date(substr(value, 7, 4) || '-' || substr(value, 11, 2) || '-' || substr(value, 13, 2))
                    THEN substr('10X98765432', (${weightedSum}) % 11 + 1, 1) = substr(value, 18, 1)
                    ELSE false END
      $$`);
    // Masks as in id-number.ts: the ID number keeps region and last four, an account its
    // first and last four. Values too short to mask meaningfully are hidden entirely.
    await q.query(`
      CREATE FUNCTION mask_id_number(value text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN length(value) >= 14 THEN left(value, 6) || repeat('*', length(value) - 10) || right(value, 4)
                    ELSE repeat('*', length(value)) END
      $$`);
    await q.query(`
      CREATE FUNCTION mask_bank_account(value text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN length(value) >= 12 THEN left(value, 4) || repeat('*', length(value) - 8) || right(value, 4)
                    ELSE repeat('*', length(value)) END
      $$`);

    await q.query('ALTER TABLE ingest_file DROP CONSTRAINT ingest_file_status_check');
    await q.query(
      "ALTER TABLE ingest_file ADD CONSTRAINT ingest_file_status_check CHECK (status IN ('LOADING', 'LOADED', 'SKIPPED', 'FAILED'))",
    );
    await q.query('CREATE INDEX ingest_file_started_idx ON ingest_file (started_at, id)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ingest_file_started_idx');
    await q.query("DELETE FROM ingest_file WHERE status IN ('LOADING', 'SKIPPED')");
    await q.query('ALTER TABLE ingest_file DROP CONSTRAINT ingest_file_status_check');
    await q.query(
      "ALTER TABLE ingest_file ADD CONSTRAINT ingest_file_status_check CHECK (status IN ('LOADED', 'FAILED'))",
    );
    for (const fn of [
      'mask_bank_account(text)',
      'mask_id_number(text)',
      'gb11643_is_valid(text)',
      'ingest_timestamp(text)',
      'ingest_is_timestamp(text)',
      'ingest_is_date(text)',
    ]) {
      await q.query(`DROP FUNCTION ${fn}`);
    }
  }
}
