import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Data collision (数据碰撞): model parameters, runs, the jobs a run is split into, and the
 * hits (疑点) with their deterministic key. See docs/MODELS-NOTES.md.
 *
 * The seeded parameter rows are written out literally (not imported from src/collision) so
 * that this migration keeps producing the same database whatever the code says later.
 */
export class Collision1763900200000 implements MigrationInterface {
  name = 'Collision1763900200000';

  public async up(q: QueryRunner): Promise<void> {
    // Parameters are data: one row per (model, region prefix); '' is the national default and
    // the most specific prefix of the run's region wins, key by key.
    await q.query(`
      CREATE TABLE model_parameter (
        model varchar(40) NOT NULL,
        region_prefix varchar(6) NOT NULL DEFAULT '',
        params jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (model, region_prefix),
        CHECK (region_prefix ~ '^[0-9]{0,6}$'),
        CHECK (jsonb_typeof(params) = 'object')
      )`);
    await q.query(`
      INSERT INTO model_parameter (model, region_prefix, params) VALUES
        ('DEATH_AFTER', '', '{}'),
        ('OVERLAPPING_INPATIENT', '', '{}'),
        ('BED_HANGING', '', '{"minLengthOfStay": 3, "activeDayRatio": 0.5}'),
        ('SPLIT_ADMISSION', '', '{"maxGapDays": 15}'),
        ('REPEAT_EXAM_IN_STAY', '', '{"maxQuantity": 2}'),
        ('DAILY_QUANTITY_EXCESS', '', '{}'),
        ('OVER_PRICE', '', '{}'),
        ('TRACE_CODE_REUSE', '', '{}'),
        ('EXCESS_DISPENSING', '', '{}'),
        ('LOW_STANDARD_ADMISSION', '', '{}'),
        ('PEER_OUTLIER', '', '{"minSettlements": 30, "minPeers": 5, "threshold": 3.5}'),
        ('PRESCRIPTION_SPLITTING', '', '{"minSettlements": 3}'),
        ('GROUP_ADMISSION', '', '{"minPersons": 5}'),
        ('INVENTORY_MISMATCH', '', '{}'),
        ('INSIDER_PAYEE', '', '{}'),
        ('BUNDLED_ITEM_CHARGE', '', '{}')`);

    await q.query(`
      CREATE TABLE collision_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        models text[] NOT NULL,
        from_date date NOT NULL,
        to_date date NOT NULL,
        region_code varchar(6) REFERENCES region (code),
        status varchar(10) NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        started_at timestamptz,
        finished_at timestamptz,
        hit_count integer NOT NULL DEFAULT 0,
        clues_created integer NOT NULL DEFAULT 0,
        parameters jsonb NOT NULL DEFAULT '{}',
        error text,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (to_date >= from_date),
        CHECK (cardinality(models) > 0)
      )`);
    await q.query('CREATE INDEX collision_run_created_idx ON collision_run (created_at DESC, id)');
    await q.query(
      "CREATE INDEX collision_run_active_idx ON collision_run (status) WHERE status IN ('QUEUED', 'RUNNING')",
    );

    // One row per queued job (model × slice): a retried job finds its row, and the run is
    // done when no row is left QUEUED or RUNNING. slice_key '' = the whole window and region.
    await q.query(`
      CREATE TABLE collision_run_job (
        run_id uuid NOT NULL REFERENCES collision_run (id) ON DELETE CASCADE,
        model varchar(40) NOT NULL,
        slice_key varchar(16) NOT NULL DEFAULT '',
        status varchar(10) NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        hits integer,
        inserted integer,
        updated integer,
        queued_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        duration_ms integer,
        error text,
        PRIMARY KEY (run_id, model, slice_key)
      )`);
    await q.query(
      "CREATE INDEX collision_run_job_open_idx ON collision_run_job (run_id) WHERE status IN ('QUEUED', 'RUNNING')",
    );

    await q.query(`
      CREATE TABLE collision_hit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        model varchar(40) NOT NULL,
        hit_key text COLLATE "C" NOT NULL,
        amount_involved numeric(14,2) NOT NULL CHECK (amount_involved >= 0),
        institution_code varchar(32) NOT NULL REFERENCES institution (code),
        region_code varchar(6) NOT NULL,
        person_ids text[] NOT NULL,
        settlement_ids text[] NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}',
        first_run_id uuid NOT NULL REFERENCES collision_run (id),
        last_run_id uuid NOT NULL REFERENCES collision_run (id),
        clue_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT collision_hit_model_key_uq UNIQUE (model, hit_key)
      )`);
    await q.query('CREATE INDEX collision_hit_created_idx ON collision_hit (created_at DESC, id)');
    await q.query('CREATE INDEX collision_hit_model_created_idx ON collision_hit (model, created_at DESC, id)');
    await q.query('CREATE INDEX collision_hit_institution_idx ON collision_hit (institution_code, model)');
    // Jurisdiction filters are prefix matches on the region code.
    await q.query('CREATE INDEX collision_hit_region_idx ON collision_hit (region_code text_pattern_ops)');
    await q.query('CREATE INDEX collision_hit_last_run_idx ON collision_hit (last_run_id)');
    await q.query('CREATE INDEX collision_hit_first_run_idx ON collision_hit (first_run_id)');
    await q.query(
      'CREATE INDEX collision_hit_unclued_idx ON collision_hit (model, institution_code) WHERE clue_id IS NULL',
    );
    await q.query('CREATE INDEX collision_hit_clue_idx ON collision_hit (clue_id) WHERE clue_id IS NOT NULL');

    // n / d rounded half-up to 0.01, exactly: div() truncates an exact numeric quotient, so
    // no intermediate rounding ever happens (n >= 0, d > 0 in every model).
    await q.query(`
      CREATE FUNCTION money_ratio_half_up(n numeric, d numeric) RETURNS numeric
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT round(div(200 * n + d, 2 * d) / 100, 2)
      $$`);

    // The evidence lists of a hit: distinct ids in bytewise order, so that re-detecting the
    // same evidence compares equal and the lists read the same in every run.
    await q.query(`
      CREATE FUNCTION collision_id_set(ids text[]) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT x COLLATE "C" ORDER BY x COLLATE "C"), '{}')::text[]
        FROM unnest(ids) AS u(x) WHERE x IS NOT NULL
      $$`);

    // DAILY_QUANTITY_EXCESS and EXCESS_DISPENSING select lines by charged_on, which the
    // settled_on partitioning cannot prune (docs/MODELS-NOTES.md).
    await q.query('CREATE INDEX settlement_item_charged_idx ON settlement_item (charged_on, item_kind)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX settlement_item_charged_idx');
    await q.query('DROP FUNCTION collision_id_set(text[])');
    await q.query('DROP FUNCTION money_ratio_half_up(numeric, numeric)');
    for (const table of ['collision_hit', 'collision_run_job', 'collision_run', 'model_parameter']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
