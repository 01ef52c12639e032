import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rule library (RULES.md): rules kept as data, one row per version. The current version
 * of a rule is the row with `current`; older versions stay readable with their validity.
 * A run records the rule versions it used (collision_run_rule), and its RULE_* classes read
 * exactly those, so a change made while a run is under way never mixes into it.
 */
export class Rules1763901000000 implements MigrationInterface {
  name = 'Rules1763901000000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        rule_id varchar(40) NOT NULL,
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        current boolean NOT NULL DEFAULT true,
        rule_class varchar(12) NOT NULL
          CHECK (rule_class IN ('SEX', 'AGE', 'VISIT_TYPE', 'LEVEL', 'DIAGNOSIS', 'EXCLUSIVE', 'FREQUENCY')),
        item_code varchar(40) NOT NULL,
        region_code varchar(6) NOT NULL REFERENCES region (code),
        jurisdiction varchar(6) NOT NULL GENERATED ALWAYS AS (
          CASE WHEN region_code LIKE '%0000' THEN left(region_code, 2)
               WHEN region_code LIKE '%00' THEN left(region_code, 4) ELSE region_code END) STORED,
        effective_from date NOT NULL,
        effective_to date,
        gender char(1) CHECK (gender IN ('M', 'F')),
        min_age integer CHECK (min_age BETWEEN 0 AND 150),
        max_age integer CHECK (max_age BETWEEN 0 AND 150),
        visit_types text[],
        min_level varchar(10) CHECK (min_level IN ('PRIMARY', 'SECONDARY', 'TERTIARY')),
        diagnosis_prefixes text[],
        other_item_code varchar(40),
        max_units numeric CHECK (max_units > 0),
        period varchar(10) CHECK (period IN ('DAY', 'SETTLEMENT', 'YEAR')),
        description text NOT NULL,
        ingest_file_id bigint,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (effective_to IS NULL OR effective_to >= effective_from),
        CHECK (min_age IS NULL OR max_age IS NULL OR min_age <= max_age),
        CHECK (other_item_code IS DISTINCT FROM item_code),
        UNIQUE (rule_id, version)
      )`,
      `CREATE UNIQUE INDEX rule_current_uq ON rule (rule_id) WHERE current`,
      `CREATE INDEX rule_class_item_idx ON rule (rule_class, item_code) WHERE current`,
      `CREATE INDEX rule_region_idx ON rule (region_code text_pattern_ops) WHERE current`,
      // The rule versions a run uses, recorded when the run starts.
      `CREATE TABLE collision_run_rule (
        run_id uuid NOT NULL REFERENCES collision_run (id) ON DELETE CASCADE,
        rule_row_id uuid NOT NULL REFERENCES rule (id),
        rule_class varchar(12) NOT NULL,
        PRIMARY KEY (run_id, rule_class, rule_row_id)
      )`,
      // Per-region parameters (MODELS.md: the most specific prefix wins, for each hit by its
      // subject institution's region): the overrides inside the run's region, per model.
      `ALTER TABLE collision_run ADD COLUMN regional_parameters jsonb NOT NULL DEFAULT '{}'`,
      // ruleId of a RULE_* hit, for collisionHits(filter: {ruleId}) and ruleStats.
      `CREATE INDEX collision_hit_rule_idx ON collision_hit ((detail->>'ruleId')) WHERE model LIKE 'RULE\\_%'`,
    ];
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX collision_hit_rule_idx');
    await q.query('DROP TABLE collision_run_rule');
    await q.query('ALTER TABLE collision_run DROP COLUMN regional_parameters');
    await q.query('DROP TABLE rule');
  }
}
