import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inspections (检查) and documents (文书), PRODUCT.md §9. Campaign ids are plain uuid columns:
 * the campaign table comes with its own migration, and the foreign keys with the merge.
 * Documents are immutable once issued: their `status` is always ISSUED (the one-state
 * machine records the creation on the timeline and in the audit log). 文号 are counted per
 * (issuing department, year, prefix) in `document_counter`, incremented with
 * UPDATE … RETURNING in the issuing transaction (gap-free under concurrency).
 */
export class InspectionsDocuments1763901200000 implements MigrationInterface {
  name = 'InspectionsDocuments1763901200000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE SEQUENCE inspection_code_seq`,
      `CREATE TABLE inspection (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(20) NOT NULL UNIQUE,
        kind varchar(8) NOT NULL CHECK (kind IN ('ROUTINE', 'JOINT', 'CROSS', 'FLIGHT')),
        institution_code varchar(32) NOT NULL REFERENCES institution (code),
        -- The institution's region: jurisdiction reads it.
        region_code varchar(6) NOT NULL,
        campaign_id uuid,
        lead_department_id uuid NOT NULL REFERENCES department (id),
        planned_from date NOT NULL,
        planned_to date NOT NULL CHECK (planned_to >= planned_from),
        status varchar(12) NOT NULL CHECK (status IN ('PLANNED', 'IN_PROGRESS', 'REPORTED', 'CLOSED')),
        findings text,
        reported_at timestamptz,
        reported_by uuid REFERENCES app_user (id),
        closed_at timestamptz,
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`,
      `CREATE INDEX inspection_created_idx ON inspection (created_at DESC, id)`,
      `CREATE INDEX inspection_lead_idx ON inspection (lead_department_id)`,
      `CREATE INDEX inspection_region_idx ON inspection (region_code text_pattern_ops)`,
      `CREATE INDEX inspection_campaign_idx ON inspection (campaign_id)`,
      `CREATE TABLE inspection_member (
        inspection_id uuid NOT NULL REFERENCES inspection (id),
        user_id uuid NOT NULL REFERENCES app_user (id),
        department_id uuid NOT NULL REFERENCES department (id),
        PRIMARY KEY (inspection_id, user_id)
      )`,
      `CREATE INDEX inspection_member_user_idx ON inspection_member (user_id)`,
      `CREATE INDEX inspection_member_department_idx ON inspection_member (department_id)`,
      `ALTER TABLE problem ADD CONSTRAINT problem_inspection_fk FOREIGN KEY (inspection_id) REFERENCES inspection (id)`,
      `CREATE INDEX problem_inspection_idx ON problem (inspection_id)`,

      `CREATE TABLE document (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(28) NOT NULL CHECK (kind IN
          ('DISCIPLINE_RECOMMENDATION', 'WORK_SUGGESTION', 'SUPERVISION_NOTICE', 'INTERVIEW_RECORD', 'PUBLIC_NOTICE')),
        number text NOT NULL,
        prefix text NOT NULL,
        year integer NOT NULL,
        seq integer NOT NULL CHECK (seq > 0),
        title text NOT NULL,
        body text NOT NULL,
        issuer_department_id uuid NOT NULL REFERENCES department (id),
        -- The issuer's region: who reads a 通报 and which 纪委 reads the others.
        region_code varchar(6) NOT NULL,
        campaign_id uuid,
        supervision_item_id uuid REFERENCES supervision_item (id),
        status varchar(8) NOT NULL CHECK (status IN ('ISSUED')),
        issued_by uuid NOT NULL REFERENCES app_user (id),
        issued_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT document_number_uq UNIQUE (issuer_department_id, number),
        CONSTRAINT document_seq_uq UNIQUE (issuer_department_id, year, prefix, seq)
      )`,
      `CREATE INDEX document_created_idx ON document (created_at DESC, id)`,
      `CREATE INDEX document_region_idx ON document (region_code text_pattern_ops)`,
      `CREATE INDEX document_campaign_idx ON document (campaign_id)`,
      `CREATE TABLE document_counter (
        department_id uuid NOT NULL REFERENCES department (id),
        year integer NOT NULL,
        prefix text NOT NULL,
        last integer NOT NULL DEFAULT 0,
        PRIMARY KEY (department_id, year, prefix)
      )`,
      `CREATE TABLE document_recipient (
        document_id uuid NOT NULL REFERENCES document (id),
        department_id uuid NOT NULL REFERENCES department (id),
        PRIMARY KEY (document_id, department_id)
      )`,
      `CREATE INDEX document_recipient_department_idx ON document_recipient (department_id)`,
      `CREATE TABLE document_case (
        document_id uuid NOT NULL REFERENCES document (id),
        case_id uuid NOT NULL REFERENCES "case" (id),
        position integer NOT NULL,
        PRIMARY KEY (document_id, case_id)
      )`,
      `CREATE INDEX document_case_case_idx ON document_case (case_id)`,
      `CREATE TABLE document_problem (
        document_id uuid NOT NULL REFERENCES document (id),
        problem_id uuid NOT NULL REFERENCES problem (id),
        -- true: the problem was created from the document's measures (one per recipient).
        created boolean NOT NULL DEFAULT false,
        PRIMARY KEY (document_id, problem_id)
      )`,
      `CREATE INDEX document_problem_problem_idx ON document_problem (problem_id)`,
      // A 通报's entries, frozen at issue (the document is immutable; names already masked).
      `CREATE TABLE document_notice_entry (
        document_id uuid NOT NULL REFERENCES document (id),
        position integer NOT NULL,
        case_code varchar(32) NOT NULL,
        institution_name text,
        masked_person_names text[] NOT NULL,
        summary text NOT NULL,
        sanctions text[] NOT NULL,
        PRIMARY KEY (document_id, position)
      )`,
    ];
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'document_notice_entry',
      'document_problem',
      'document_case',
      'document_recipient',
      'document_counter',
      'document',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query('DROP INDEX problem_inspection_idx');
    await q.query('ALTER TABLE problem DROP CONSTRAINT problem_inspection_fk');
    await q.query('DROP TABLE inspection_member');
    await q.query('DROP TABLE inspection');
    await q.query('DROP SEQUENCE inspection_code_seq');
  }
}
