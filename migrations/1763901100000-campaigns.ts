import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns (专项行动, PRODUCT.md §9): a leading department, participants of any kind, a region,
 * a scope window of claims, phases PLANNED → SELF_CHECK → INSPECTION → CONSOLIDATION → CLOSED
 * (`status`, moved by campaignMachine), and target institutions materialised at creation
 * (campaign_target). Runs and clues carry the campaign; problems get the foreign key their
 * campaign_id column was waiting for. Self-check reports (自查自纠) are one per institution and
 * campaign, with exact refunds; the SELF_CHECK problems they list are linked through
 * self_check_problem.
 */
export class Campaigns1763901100000 implements MigrationInterface {
  name = 'Campaigns1763901100000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE SEQUENCE campaign_code_seq`,
      `CREATE TABLE campaign (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(20) NOT NULL UNIQUE,
        name text NOT NULL CHECK (name <> ''),
        lead_department_id uuid NOT NULL REFERENCES department (id),
        region_code varchar(6) NOT NULL REFERENCES region (code),
        scope_from date NOT NULL,
        scope_to date NOT NULL,
        status varchar(14) NOT NULL CHECK (status IN ('PLANNED', 'SELF_CHECK', 'INSPECTION', 'CONSOLIDATION', 'CLOSED')),
        target_kinds text[],
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK (scope_from <= scope_to)
      )`,
      `CREATE INDEX campaign_created_idx ON campaign (created_at DESC, id)`,
      `CREATE INDEX campaign_region_idx ON campaign (region_code text_pattern_ops)`,
      `CREATE TABLE campaign_participant (
        campaign_id uuid NOT NULL REFERENCES campaign (id),
        department_id uuid NOT NULL REFERENCES department (id),
        PRIMARY KEY (campaign_id, department_id)
      )`,
      `CREATE INDEX campaign_participant_department_idx ON campaign_participant (department_id)`,
      `CREATE TABLE campaign_target (
        campaign_id uuid NOT NULL REFERENCES campaign (id),
        institution_code varchar(32) NOT NULL REFERENCES institution (code),
        PRIMARY KEY (campaign_id, institution_code)
      )`,
      `CREATE TABLE self_check_report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        campaign_id uuid NOT NULL REFERENCES campaign (id),
        institution_code varchar(32) NOT NULL REFERENCES institution (code),
        findings text NOT NULL CHECK (findings <> ''),
        voluntary_refund numeric(14,2) NOT NULL CHECK (voluntary_refund >= 0),
        patient_refund numeric(14,2) NOT NULL CHECK (patient_refund >= 0),
        department_id uuid NOT NULL REFERENCES department (id),
        recorded_by uuid NOT NULL REFERENCES app_user (id),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (campaign_id, institution_code)
      )`,
      `CREATE INDEX self_check_report_recorded_idx ON self_check_report (recorded_at)`,
      `CREATE TABLE self_check_problem (
        report_id uuid NOT NULL REFERENCES self_check_report (id),
        problem_id uuid NOT NULL UNIQUE REFERENCES problem (id),
        PRIMARY KEY (report_id, problem_id)
      )`,
      `ALTER TABLE collision_run ADD COLUMN campaign_id uuid REFERENCES campaign (id)`,
      `CREATE INDEX collision_run_campaign_idx ON collision_run (campaign_id) WHERE campaign_id IS NOT NULL`,
      `ALTER TABLE clue ADD COLUMN campaign_id uuid REFERENCES campaign (id)`,
      `CREATE INDEX clue_campaign_idx ON clue (campaign_id) WHERE campaign_id IS NOT NULL`,
      `ALTER TABLE problem ADD CONSTRAINT problem_campaign_fk FOREIGN KEY (campaign_id) REFERENCES campaign (id)`,
      `CREATE INDEX problem_campaign_idx ON problem (campaign_id) WHERE campaign_id IS NOT NULL`,
    ];
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX problem_campaign_idx');
    await q.query('ALTER TABLE problem DROP CONSTRAINT problem_campaign_fk');
    await q.query('ALTER TABLE clue DROP COLUMN campaign_id');
    await q.query('ALTER TABLE collision_run DROP COLUMN campaign_id');
    await q.query('DROP TABLE self_check_problem');
    await q.query('DROP TABLE self_check_report');
    await q.query('DROP TABLE campaign_target');
    await q.query('DROP TABLE campaign_participant');
    await q.query('DROP TABLE campaign');
    await q.query('DROP SEQUENCE campaign_code_seq');
  }
}
