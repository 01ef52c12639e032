import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outcome loop (PRODUCT.md §9): hit verification (疑点核查) on collision_hit, problems
 * (问题清单) with their rectification measures (整改措施), and rechecks (回头看). Each new
 * workflow table has `status` and `version` like the others; the machines live in code
 * (src/domain/problem/*.machine.ts, src/domain/collision/hit-verification.machine.ts).
 * Campaigns and inspections come later: problems carry their ids already, without a foreign
 * key until those tables exist.
 */
export class Outcomes1763900900000 implements MigrationInterface {
  name = 'Outcomes1763900900000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = [
      // 疑点核查: the verification of a hit is its own small machine (state column `verification`).
      `ALTER TABLE collision_hit
         ADD COLUMN verification varchar(10) NOT NULL DEFAULT 'PENDING'
           CHECK (verification IN ('PENDING', 'CONFIRMED', 'EXCLUDED')),
         ADD COLUMN exclusion_reason varchar(32)
           CHECK (exclusion_reason IN ('DATA_ERROR', 'POLICY_ALLOWED', 'DUPLICATE_BILLING_CORRECTED', 'OTHER')),
         ADD COLUMN verification_note text,
         ADD COLUMN confirmed_amount numeric(14,2) CHECK (confirmed_amount >= 0),
         ADD COLUMN verified_at timestamptz,
         ADD COLUMN verified_by uuid REFERENCES app_user (id),
         ADD COLUMN version integer NOT NULL DEFAULT 1`,
      `CREATE INDEX collision_hit_clue_verification_idx ON collision_hit (clue_id, verification)`,

      `CREATE SEQUENCE problem_code_seq`,
      `CREATE TABLE problem (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(20) NOT NULL UNIQUE,
        source varchar(16) NOT NULL CHECK (source IN
          ('CASE', 'CLUE', 'INSPECTION', 'SELF_CHECK', 'AUDIT', 'INSPECTION_TOUR', 'SUPERVISION', 'RECHECK')),
        category text NOT NULL,
        description text NOT NULL,
        amount numeric(14,2) CHECK (amount >= 0),
        institution_code varchar(32) REFERENCES institution (code),
        subject_department_id uuid REFERENCES department (id),
        responsible_department_id uuid NOT NULL REFERENCES department (id),
        supervising_department_id uuid NOT NULL REFERENCES department (id),
        -- The institution's region, else the subject's, else the responsible department's: jurisdiction reads it.
        region_code varchar(6) NOT NULL,
        status varchar(10) NOT NULL CHECK (status IN ('OPEN', 'CLOSED', 'REOPENED')),
        case_id uuid REFERENCES "case" (id),
        clue_id uuid REFERENCES clue (id),
        supervision_item_id uuid REFERENCES supervision_item (id),
        campaign_id uuid,
        inspection_id uuid,
        closed_at timestamptz,
        closed_by uuid REFERENCES app_user (id),
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX problem_created_idx ON problem (created_at DESC, id)`,
      `CREATE INDEX problem_responsible_idx ON problem (responsible_department_id)`,
      `CREATE INDEX problem_supervising_idx ON problem (supervising_department_id)`,
      `CREATE INDEX problem_region_idx ON problem (region_code text_pattern_ops)`,
      `CREATE INDEX problem_institution_idx ON problem (institution_code)`,
      `CREATE INDEX problem_case_idx ON problem (case_id)`,
      `CREATE INDEX problem_clue_idx ON problem (clue_id)`,

      `CREATE TABLE rectification_measure (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        problem_id uuid NOT NULL REFERENCES problem (id),
        description text NOT NULL,
        deadline date NOT NULL,
        status varchar(10) NOT NULL CHECK (status IN ('OPEN', 'SUBMITTED', 'ACCEPTED')),
        report text,
        evidence text[] NOT NULL DEFAULT '{}',
        submitted_at timestamptz,
        submitted_by uuid REFERENCES app_user (id),
        accepted_at timestamptz,
        accepted_by uuid REFERENCES app_user (id),
        acceptance_note text,
        rejection_reason text,
        reminded_at timestamptz,
        overdue_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX measure_problem_idx ON rectification_measure (problem_id)`,
      `CREATE INDEX measure_open_deadline_idx ON rectification_measure (deadline) WHERE status = 'OPEN'`,

      `CREATE TABLE recheck (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        problem_id uuid NOT NULL REFERENCES problem (id),
        due_on date NOT NULL,
        manual boolean NOT NULL DEFAULT false,
        status varchar(10) NOT NULL CHECK (status IN ('SCHEDULED', 'RUNNING', 'PASSED', 'RECURRED')),
        window_from date,
        window_to date,
        run_id uuid REFERENCES collision_run (id),
        new_hits integer NOT NULL DEFAULT 0,
        recommendation varchar(24) CHECK (recommendation IN ('INTERVIEW', 'SUSPEND_SETTLEMENT', 'TERMINATE_AGREEMENT')),
        clue_id uuid REFERENCES clue (id),
        completed_at timestamptz,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX recheck_problem_idx ON recheck (problem_id)`,
      `CREATE INDEX recheck_due_idx ON recheck (due_on) WHERE status = 'SCHEDULED'`,

      // Deadlines and the recheck delay are region settings (the longest prefix wins).
      `INSERT INTO region_setting (region_prefix, key, value) VALUES
        ('', 'recheckMonths', '6'),
        ('', 'measureReminderWorkingDays', '3'),
        ('', 'recurrenceWindowMonths', '24')`,
    ];
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM region_setting WHERE region_prefix = '' AND key IN ('recheckMonths', 'measureReminderWorkingDays', 'recurrenceWindowMonths')`,
    );
    for (const table of ['recheck', 'rectification_measure', 'problem']) await q.query(`DROP TABLE ${table}`);
    await q.query('DROP SEQUENCE problem_code_seq');
    await q.query('DROP INDEX collision_hit_clue_verification_idx');
    await q.query(`ALTER TABLE collision_hit DROP COLUMN verification, DROP COLUMN exclusion_reason,
      DROP COLUMN verification_note, DROP COLUMN confirmed_amount, DROP COLUMN verified_at, DROP COLUMN verified_by,
      DROP COLUMN version`);
  }
}
