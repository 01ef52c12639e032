import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case rectification items (整改事项) become rectification measures (整改措施) of problems sourced
 * from their case (docs/OUTCOMES.md "Case rectification items are measures"). Every row is kept:
 *
 * - one problem per (case, items' owner department): source CASE, category 案件整改, the case's
 *   title as description, responsible = the items' department, supervising = the case's owner,
 *   region = the case's, status OPEN, created at the earliest item's time, code WT<year of that
 *   time>-NNNNNN from problem_code_seq (in that order of time);
 * - one measure per item with THE SAME id (global ids RectificationItem:<id> keep resolving),
 *   description, deadline, created_at and version; OPEN → OPEN; DONE → ACCEPTED with
 *   submitted/accepted at = completed_at, by = completed_by, report = acceptance_note = note;
 * - the items' timeline becomes the measures' (ISSUE → ADD, DONE → ACCEPTED; COMPLETE is the
 *   measure machine's one-step COMPLETE), and each new problem gets its CREATE entry.
 *
 * `down` rebuilds rectification_item (with its version) from the measures of CASE problems and
 * deletes those problems, their measures and rechecks.
 */
export class RectificationMeasures1763900930000 implements MigrationInterface {
  name = 'RectificationMeasures1763900930000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TEMP TABLE rectification_problem_map AS
       SELECT gen_random_uuid() AS problem_id, r.case_id, r.owner_department_id, min(r.created_at) AS created_at
       FROM rectification_item r GROUP BY r.case_id, r.owner_department_id`,
    );
    await q.query(
      `INSERT INTO problem (id, code, source, category, description, responsible_department_id,
         supervising_department_id, region_code, status, case_id, created_at, updated_at)
       SELECT g.problem_id,
              'WT' || to_char(g.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-'
                || lpad(nextval('problem_code_seq')::text, 6, '0'),
              'CASE', '案件整改', g.title, g.owner_department_id, g.case_owner, g.region_code, 'OPEN', g.case_id,
              g.created_at, g.created_at
       FROM (SELECT m.*, k.title, k.owner_department_id AS case_owner, k.region_code
             FROM rectification_problem_map m JOIN "case" k ON k.id = m.case_id
             ORDER BY m.created_at, m.case_id, m.owner_department_id) g`,
    );
    await q.query(
      `INSERT INTO rectification_measure (id, problem_id, description, deadline, status, report,
         submitted_at, submitted_by, accepted_at, accepted_by, acceptance_note, created_at, updated_at, version)
       SELECT r.id, g.problem_id, r.description, r.deadline,
              CASE r.status WHEN 'DONE' THEN 'ACCEPTED' ELSE 'OPEN' END,
              CASE WHEN r.status = 'DONE' THEN r.note END,
              CASE WHEN r.status = 'DONE' THEN r.completed_at END,
              CASE WHEN r.status = 'DONE' THEN r.completed_by END,
              CASE WHEN r.status = 'DONE' THEN r.completed_at END,
              CASE WHEN r.status = 'DONE' THEN r.completed_by END,
              CASE WHEN r.status = 'DONE' THEN r.note END,
              r.created_at, coalesce(r.completed_at, r.created_at), r.version
       FROM rectification_item r
       JOIN rectification_problem_map g ON g.case_id = r.case_id AND g.owner_department_id = r.owner_department_id`,
    );
    await q.query(
      `INSERT INTO state_change (entity_type, entity_id, at, actor_id, from_state, to_state, event, note, detail)
       SELECT 'Problem', p.id, p.created_at, NULL, NULL, 'OPEN', 'CREATE', p.description,
              jsonb_build_object('migratedFrom', 'rectification_item')
       FROM problem p JOIN rectification_problem_map g ON g.problem_id = p.id`,
    );
    await q.query(
      `UPDATE state_change SET entity_type = 'RectificationMeasure',
         event = CASE event WHEN 'ISSUE' THEN 'ADD' ELSE event END,
         from_state = CASE from_state WHEN 'DONE' THEN 'ACCEPTED' ELSE from_state END,
         to_state = CASE to_state WHEN 'DONE' THEN 'ACCEPTED' ELSE to_state END
       WHERE entity_type = 'RectificationItem'`,
    );
    await q.query('DROP TABLE rectification_problem_map');
    await q.query('DROP TABLE rectification_item');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(
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
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`,
    );
    await q.query('CREATE INDEX rectification_case_idx ON rectification_item (case_id)');
    await q.query(
      `CREATE TEMP TABLE case_problem_ids AS
       SELECT id FROM problem WHERE source = 'CASE' AND case_id IS NOT NULL`,
    );
    await q.query(
      `INSERT INTO rectification_item (id, case_id, description, owner_department_id, deadline, status,
         completed_at, completed_by, note, created_at, version)
       SELECT rm.id, p.case_id, rm.description, p.responsible_department_id, rm.deadline,
              CASE rm.status WHEN 'ACCEPTED' THEN 'DONE' ELSE 'OPEN' END,
              CASE WHEN rm.status = 'ACCEPTED' THEN rm.accepted_at END,
              CASE WHEN rm.status = 'ACCEPTED' THEN rm.accepted_by END,
              CASE WHEN rm.status = 'ACCEPTED' THEN coalesce(rm.acceptance_note, rm.report) END,
              rm.created_at, rm.version
       FROM rectification_measure rm JOIN problem p ON p.id = rm.problem_id
       WHERE p.id IN (SELECT id FROM case_problem_ids)`,
    );
    // The items' timeline back: their creation and one-step completion; the measure-only
    // events (submission, acceptance, reminders) and the problems' and rechecks' entries go.
    await q.query(
      `UPDATE state_change SET entity_type = 'RectificationItem',
         event = CASE event WHEN 'ADD' THEN 'ISSUE' ELSE event END,
         from_state = CASE from_state WHEN 'ACCEPTED' THEN 'DONE' WHEN 'SUBMITTED' THEN 'OPEN' ELSE from_state END,
         to_state = CASE to_state WHEN 'ACCEPTED' THEN 'DONE' WHEN 'SUBMITTED' THEN 'OPEN' ELSE to_state END
       WHERE entity_type = 'RectificationMeasure' AND event IN ('ADD', 'COMPLETE')
         AND entity_id IN (SELECT id FROM rectification_item)`,
    );
    await q.query(
      `DELETE FROM state_change WHERE
         (entity_type = 'RectificationMeasure' AND entity_id IN (SELECT id FROM rectification_item))
         OR (entity_type = 'Problem' AND entity_id IN (SELECT id FROM case_problem_ids))
         OR (entity_type = 'Recheck' AND entity_id IN
               (SELECT id FROM recheck WHERE problem_id IN (SELECT id FROM case_problem_ids)))`,
    );
    await q.query('DELETE FROM recheck WHERE problem_id IN (SELECT id FROM case_problem_ids)');
    await q.query('DELETE FROM rectification_measure WHERE problem_id IN (SELECT id FROM case_problem_ids)');
    await q.query('DELETE FROM problem WHERE id IN (SELECT id FROM case_problem_ids)');
    await q.query('DROP TABLE case_problem_ids');
  }
}
