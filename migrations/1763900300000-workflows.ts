import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workflows (PRODUCT.md §4–§5): clues, transfers, cases, supervision items, their shared
 * timeline, routing rules and region settings, the transactional outbox and notifications.
 * Every stateful table has `status` and `version` (optimistic locking: transitions are
 * `UPDATE … WHERE id = $1 AND version = $2`). The state machines themselves live in code
 * (src/domain/<concept>/<concept>.machine.ts); the database only stores states.
 */
export class Workflows1763900300000 implements MigrationInterface {
  name = 'Workflows1763900300000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = [
      // Per-region settings (thresholds, deadlines); the longest matching prefix wins, '' is the default.
      `CREATE TABLE region_setting (
        region_prefix varchar(6) NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        PRIMARY KEY (region_prefix, key)
      )`,
      `INSERT INTO region_setting (region_prefix, key, value) VALUES
        ('', 'criminalThreshold', '"30000.00"'),
        ('', 'escalationThreshold', '"500000.00"'),
        ('', 'disciplineCopyThreshold', '"100000.00"'),
        ('', 'acceptWorkingDays', '5'),
        ('', 'acceptWorkingDaysPolice', '3'),
        ('', 'feedbackWorkingDays', '30'),
        ('', 'feedbackExtensionMonths', '3'),
        ('', 'feedbackMaxMonths', '6'),
        ('', 'supervisionReminderHours', '24')`,
      // 调休: dates whose working-day status differs from the Monday–Friday rule.
      `CREATE TABLE calendar_exception (
        day date PRIMARY KEY,
        is_working_day boolean NOT NULL,
        note text
      )`,

      `CREATE SEQUENCE clue_code_seq`,
      `CREATE TABLE clue (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        source varchar(16) NOT NULL,
        status varchar(20) NOT NULL,
        model varchar(32),
        institution_code varchar(32) REFERENCES institution (code),
        region_code varchar(6) NOT NULL REFERENCES region (code),
        amount_involved numeric(14,2) NOT NULL DEFAULT 0,
        owner_department_id uuid REFERENCES department (id),
        routing_rule text,
        routed_at timestamptz,
        status_before_transfer varchar(20),
        findings text,
        disposition text,
        recovered_amount numeric(14,2),
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX clue_owner_idx ON clue (owner_department_id, status)`,
      `CREATE INDEX clue_region_idx ON clue (region_code)`,
      `CREATE INDEX clue_created_idx ON clue (created_at, id)`,
      // The one open clue per (model, institution) that new hits join (MODELS.md "Clues from hits").
      `CREATE INDEX clue_open_model_idx ON clue (model, institution_code) WHERE status IN ('NEW', 'ASSIGNED', 'VERIFYING')`,
      `CREATE TABLE clue_person (
        clue_id uuid NOT NULL REFERENCES clue (id) ON DELETE CASCADE,
        person_id varchar(32) NOT NULL REFERENCES person (person_id),
        role varchar(10) NOT NULL CHECK (role IN ('SUBJECT', 'EVIDENCE')),
        PRIMARY KEY (clue_id, person_id)
      )`,
      `CREATE INDEX clue_person_person_idx ON clue_person (person_id)`,
      // Hits (from the collision migration) are evidence of clues.
      `ALTER TABLE collision_hit ADD CONSTRAINT collision_hit_clue_fk FOREIGN KEY (clue_id) REFERENCES clue (id)`,
      // 抄送: read-only copies.
      `CREATE TABLE clue_copy (
        clue_id uuid NOT NULL REFERENCES clue (id) ON DELETE CASCADE,
        department_id uuid NOT NULL REFERENCES department (id),
        reason text NOT NULL,
        copied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (clue_id, department_id)
      )`,
      `CREATE INDEX clue_copy_department_idx ON clue_copy (department_id)`,

      `CREATE TABLE clue_transfer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clue_id uuid NOT NULL REFERENCES clue (id),
        from_department_id uuid NOT NULL REFERENCES department (id),
        to_department_id uuid NOT NULL REFERENCES department (id),
        reason text NOT NULL,
        status varchar(16) NOT NULL,
        requested_by uuid NOT NULL REFERENCES app_user (id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        accept_deadline timestamptz NOT NULL,
        feedback_deadline timestamptz,
        feedback_extended_reason text,
        responded_at timestamptz,
        responded_by uuid REFERENCES app_user (id),
        return_reason text,
        feedback text,
        feedback_at timestamptz,
        overdue boolean NOT NULL DEFAULT false,
        overdue_since timestamptz,
        clue_status_before varchar(20) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        CHECK (from_department_id <> to_department_id)
      )`,
      `CREATE INDEX clue_transfer_clue_idx ON clue_transfer (clue_id)`,
      `CREATE INDEX clue_transfer_to_idx ON clue_transfer (to_department_id, status)`,
      `CREATE INDEX clue_transfer_from_idx ON clue_transfer (from_department_id, status)`,
      `CREATE INDEX clue_transfer_pending_idx ON clue_transfer (accept_deadline) WHERE status = 'PENDING'`,
      `CREATE INDEX clue_transfer_feedback_idx ON clue_transfer (feedback_deadline) WHERE status = 'ACCEPTED'`,
      `CREATE UNIQUE INDEX clue_transfer_one_pending ON clue_transfer (clue_id) WHERE status = 'PENDING'`,

      `CREATE SEQUENCE case_code_seq`,
      `CREATE TABLE "case" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        title text NOT NULL,
        status varchar(16) NOT NULL,
        owner_department_id uuid NOT NULL REFERENCES department (id),
        region_code varchar(6) NOT NULL REFERENCES region (code),
        lead_investigator_id uuid REFERENCES app_user (id),
        no_action_decision text,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        filed_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        version integer NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX case_owner_idx ON "case" (owner_department_id, status)`,
      `CREATE INDEX case_region_idx ON "case" (region_code)`,
      `CREATE TABLE case_clue (
        case_id uuid NOT NULL REFERENCES "case" (id) ON DELETE CASCADE,
        clue_id uuid NOT NULL REFERENCES clue (id),
        PRIMARY KEY (case_id, clue_id)
      )`,
      `CREATE UNIQUE INDEX case_clue_clue_idx ON case_clue (clue_id)`,
      `CREATE TABLE sanction (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case" (id),
        kind varchar(24) NOT NULL,
        person_id varchar(32) REFERENCES person (person_id),
        institution_code varchar(32) REFERENCES institution (code),
        amount numeric(14,2) CHECK (amount >= 0),
        note text,
        decided_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES app_user (id),
        CHECK (person_id IS NOT NULL OR institution_code IS NOT NULL)
      )`,
      `CREATE INDEX sanction_case_idx ON sanction (case_id)`,
      `CREATE INDEX sanction_decided_idx ON sanction (decided_at)`,
      `CREATE TABLE rectification_item (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES "case" (id),
        description text NOT NULL,
        owner_department_id uuid NOT NULL REFERENCES department (id),
        deadline date NOT NULL,
        status varchar(8) NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DONE')),
        completed_at timestamptz,
        completed_by uuid REFERENCES app_user (id),
        note text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX rectification_case_idx ON rectification_item (case_id)`,
      `CREATE TABLE case_relation (
        case_id uuid NOT NULL REFERENCES "case" (id),
        other_case_id uuid NOT NULL REFERENCES "case" (id),
        kind varchar(24) NOT NULL CHECK (kind IN ('RELATED', 'DUAL_INVESTIGATION')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (case_id, other_case_id),
        CHECK (case_id <> other_case_id)
      )`,

      `CREATE TABLE supervision_item (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(24) NOT NULL,
        title text NOT NULL,
        status varchar(12) NOT NULL,
        clue_id uuid REFERENCES clue (id),
        case_id uuid REFERENCES "case" (id),
        transfer_id uuid REFERENCES clue_transfer (id),
        assigned_to_department_id uuid NOT NULL REFERENCES department (id),
        creator_department_id uuid NOT NULL REFERENCES department (id),
        leader_id uuid NOT NULL REFERENCES app_user (id),
        deadline timestamptz NOT NULL,
        reminded_at timestamptz,
        overdue_at timestamptz,
        completed_at timestamptz,
        cancel_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CHECK (num_nonnulls(clue_id, case_id, transfer_id) = 1)
      )`,
      `CREATE INDEX supervision_assigned_idx ON supervision_item (assigned_to_department_id, status)`,
      `CREATE INDEX supervision_open_deadline_idx ON supervision_item (deadline) WHERE status = 'OPEN'`,
      `CREATE TABLE supervision_progress (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        item_id uuid NOT NULL REFERENCES supervision_item (id),
        at timestamptz NOT NULL DEFAULT now(),
        author_id uuid NOT NULL REFERENCES app_user (id),
        note text NOT NULL
      )`,
      `CREATE INDEX supervision_progress_item_idx ON supervision_progress (item_id, id)`,

      // Timeline of every stateful entity (clue, transfer, case, supervision item).
      `CREATE TABLE state_change (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entity_type varchar(20) NOT NULL,
        entity_id uuid NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id uuid REFERENCES app_user (id),
        from_state varchar(20),
        to_state varchar(20) NOT NULL,
        event varchar(40) NOT NULL,
        note text,
        detail jsonb
      )`,
      `CREATE INDEX state_change_entity_idx ON state_change (entity_type, entity_id, id)`,
      `CREATE INDEX state_change_event_idx ON state_change (entity_type, event, at)`,

      `CREATE TABLE routing_rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        position integer NOT NULL UNIQUE,
        name text NOT NULL,
        condition jsonb NOT NULL,
        target_kind varchar(24) NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `INSERT INTO routing_rule (position, name, condition, target_kind) VALUES
        (1, '公职人员或内部人员冒领 → 纪委监委', '{"any": [{"publicOfficialInvolved": true}, {"models": ["INSIDER_PAYEE"]}]}', 'DISCIPLINE'),
        (2, '涉嫌犯罪 (达到刑事立案标准或回流药团伙) → 公安', '{"any": [{"amountAtLeastSetting": "criminalThreshold"}, {"models": ["TRACE_CODE_REUSE"], "minPersons": 3}]}', 'PUBLIC_SECURITY'),
        (3, '医疗行为问题 → 卫健', '{"models": ["REPEAT_EXAM_IN_STAY", "LOW_STANDARD_ADMISSION", "BED_HANGING"]}', 'HEALTH'),
        (4, '其他 → 医保', '{"always": true}', 'MEDICAL_INSURANCE')`,

      // Transactional outbox: written in the same transaction as the change, relayed to BullMQ.
      `CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic varchar(40) NOT NULL,
        payload jsonb NOT NULL,
        dedupe_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`,
      `CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`,

      `CREATE TABLE notification (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user (id),
        kind varchar(40) NOT NULL,
        entity_type varchar(20),
        entity_id uuid,
        message text NOT NULL,
        dedupe_key text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
      )`,
      `CREATE INDEX notification_user_idx ON notification (user_id, id)`,
    ];
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'notification',
      'outbox',
      'routing_rule',
      'state_change',
      'supervision_progress',
      'supervision_item',
      'case_relation',
      'rectification_item',
      'sanction',
      'case_clue',
      '"case"',
      'clue_transfer',
      'clue_copy',
      'clue_person',
      'clue',
      'calendar_exception',
      'region_setting',
    ]) {
      await q.query(`DROP TABLE ${table} CASCADE`);
    }
    await q.query('DROP SEQUENCE clue_code_seq');
    await q.query('DROP SEQUENCE case_code_seq');
  }
}
