import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fact tables of the 医保信息平台 exports (DATA-DICTIONARY.md) and the ingest bookkeeping.
 *
 * settlement and settlement_item are range-partitioned by month of `settled_on` — the
 * settlement's date in Asia/Shanghai, which is also every collision window's unit — so
 * that an item joins its settlement within one partition. Partitions are created on
 * demand by the loader (ensure_month_partitions). A settlement id is unique across all
 * partitions through settlement_key (PostgreSQL cannot enforce it on the parent).
 * Money is numeric(14,2); quantities numeric(14,4).
 */
export class Facts1763900100000 implements MigrationInterface {
  name = 'Facts1763900100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE settlement_key (
        settlement_id varchar(40) PRIMARY KEY,
        settled_on date NOT NULL
      )`);
    await q.query(`
      CREATE TABLE settlement (
        settlement_id varchar(40) NOT NULL,
        person_id varchar(32) NOT NULL,
        institution_code varchar(32) NOT NULL,
        visit_type varchar(10) NOT NULL CHECK (visit_type IN ('OUTPATIENT', 'INPATIENT', 'PHARMACY')),
        admit_date date,
        discharge_date date,
        settled_at timestamptz NOT NULL,
        settled_on date NOT NULL,
        diagnosis_code varchar(16),
        dip_group text,
        total_amount numeric(14,2) NOT NULL,
        fund_amount numeric(14,2) NOT NULL CHECK (fund_amount >= 0),
        self_amount numeric(14,2) NOT NULL CHECK (self_amount >= 0),
        payee_account_hash bytea,
        payee_account_masked varchar(19),
        doctor_id varchar(32),
        ingest_file_id bigint,
        PRIMARY KEY (settled_on, settlement_id),
        CHECK (total_amount = fund_amount + self_amount),
        CHECK (settled_on = (settled_at AT TIME ZONE 'Asia/Shanghai')::date),
        CHECK ((visit_type = 'INPATIENT') = (admit_date IS NOT NULL AND discharge_date IS NOT NULL)),
        CHECK (discharge_date >= admit_date)
      ) PARTITION BY RANGE (settled_on)`);
    await q.query('CREATE INDEX settlement_person_idx ON settlement (person_id, settled_on)');
    await q.query('CREATE INDEX settlement_institution_idx ON settlement (institution_code, settled_on)');
    await q.query(
      "CREATE INDEX settlement_inpatient_idx ON settlement (person_id, admit_date) WHERE visit_type = 'INPATIENT'",
    );
    await q.query('CREATE INDEX settlement_payee_idx ON settlement (payee_account_hash) WHERE payee_account_hash IS NOT NULL');

    await q.query(`
      CREATE TABLE settlement_item (
        settlement_id varchar(40) NOT NULL,
        line_no integer NOT NULL CHECK (line_no >= 1),
        settled_on date NOT NULL,
        item_code varchar(40) NOT NULL,
        item_kind varchar(10) NOT NULL CHECK (item_kind IN ('DRUG', 'EXAM', 'LAB', 'TREATMENT', 'MATERIAL', 'BED', 'OTHER')),
        item_name text NOT NULL,
        quantity numeric(14,4) NOT NULL CHECK (quantity > 0),
        unit_price numeric(14,2) NOT NULL CHECK (unit_price >= 0),
        amount numeric(14,2) NOT NULL,
        charged_on date NOT NULL,
        trace_code varchar(40),
        PRIMARY KEY (settled_on, settlement_id, line_no)
      ) PARTITION BY RANGE (settled_on)`);
    await q.query('CREATE INDEX settlement_item_code_idx ON settlement_item (item_code, charged_on)');
    await q.query('CREATE INDEX settlement_item_trace_idx ON settlement_item (trace_code) WHERE trace_code IS NOT NULL');

    await q.query(`
      CREATE TABLE price_catalog (
        item_code varchar(40) NOT NULL,
        region_code varchar(6) NOT NULL REFERENCES region (code),
        item_kind varchar(10) NOT NULL,
        item_name text NOT NULL,
        max_unit_price numeric(14,2),
        max_daily_quantity numeric(14,4),
        max_monthly_quantity numeric(14,4),
        includes text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (item_code, region_code)
      )`);

    await q.query(`
      CREATE TABLE drug_purchase (
        purchase_id varchar(40) PRIMARY KEY,
        institution_code varchar(32) NOT NULL REFERENCES institution (code),
        item_code varchar(40) NOT NULL,
        quantity numeric(14,4) NOT NULL CHECK (quantity > 0),
        purchased_on date NOT NULL
      )`);
    await q.query('CREATE INDEX drug_purchase_item_idx ON drug_purchase (institution_code, item_code, purchased_on)');

    // One row per file loaded (or attempted): the ingest log.
    await q.query(`
      CREATE TABLE ingest_file (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        batch_path text NOT NULL,
        file_name text NOT NULL,
        checksum char(64) NOT NULL,
        status varchar(12) NOT NULL CHECK (status IN ('LOADED', 'FAILED')),
        read_rows integer NOT NULL DEFAULT 0,
        loaded_rows integer NOT NULL DEFAULT 0,
        rejected_rows integer NOT NULL DEFAULT 0,
        duplicate_rows integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        error text
      )`);
    await q.query('CREATE INDEX ingest_file_checksum_idx ON ingest_file (file_name, checksum)');
    // Rejected rows, kept with their file, line and reason.
    await q.query(`
      CREATE TABLE ingest_quarantine (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ingest_file_id bigint NOT NULL REFERENCES ingest_file (id),
        file_name text NOT NULL,
        line integer NOT NULL,
        reason text NOT NULL,
        raw jsonb NOT NULL
      )`);
    await q.query('CREATE INDEX ingest_quarantine_file_idx ON ingest_quarantine (ingest_file_id, line)');

    // Month partitions of both partitioned tables for every month in [from, to].
    await q.query(`
      CREATE FUNCTION ensure_month_partitions(from_date date, to_date date) RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE
        m date := date_trunc('month', from_date)::date;
        created integer := 0;
        t text;
      BEGIN
        WHILE m <= to_date LOOP
          FOREACH t IN ARRAY ARRAY['settlement', 'settlement_item'] LOOP
            IF to_regclass(format('%s_%s', t, to_char(m, 'YYYYMM'))) IS NULL THEN
              EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                             format('%s_%s', t, to_char(m, 'YYYYMM')), t, m, (m + interval '1 month')::date);
              created := created + 1;
            END IF;
          END LOOP;
          m := (m + interval '1 month')::date;
        END LOOP;
        RETURN created;
      END $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'ingest_quarantine',
      'ingest_file',
      'drug_purchase',
      'price_catalog',
      'settlement_item',
      'settlement',
      'settlement_key',
    ]) {
      await q.query(`DROP TABLE ${table} CASCADE`);
    }
    await q.query('DROP FUNCTION ensure_month_partitions(date, date)');
  }
}
