import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reading (PRODUCT.md §7): indexes for supervisionStats (every dated event is found by a
 * range scan on its own timestamp) and for caseGraph (each edge walked in both directions).
 */
export class Reading1763900400000 implements MigrationInterface {
  name = 'Reading1763900400000';

  public async up(q: QueryRunner): Promise<void> {
    for (const statement of [
      // supervisionStats: transfer requested / answered / deadlines, case filed / closed, clue closed.
      'CREATE INDEX clue_transfer_requested_idx ON clue_transfer (requested_at)',
      'CREATE INDEX clue_transfer_responded_idx ON clue_transfer (responded_at) WHERE responded_at IS NOT NULL',
      'CREATE INDEX clue_transfer_accept_deadline_idx ON clue_transfer (accept_deadline)',
      'CREATE INDEX clue_transfer_feedback_due_idx ON clue_transfer (feedback_deadline)',
      'CREATE INDEX case_filed_idx ON "case" (filed_at)',
      'CREATE INDEX case_closed_idx ON "case" (closed_at) WHERE closed_at IS NOT NULL',
      'CREATE INDEX clue_closed_idx ON clue (closed_at) WHERE closed_at IS NOT NULL',
      'CREATE INDEX supervision_created_idx ON supervision_item (created_at)',
      // caseGraph: institution → clues, case ← related case, person → hits.
      'CREATE INDEX clue_institution_idx ON clue (institution_code) WHERE institution_code IS NOT NULL',
      'CREATE INDEX case_relation_other_idx ON case_relation (other_case_id)',
      'CREATE INDEX collision_hit_person_ids_idx ON collision_hit USING gin (person_ids)',
    ]) {
      await q.query(statement);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const index of [
      'collision_hit_person_ids_idx',
      'case_relation_other_idx',
      'clue_institution_idx',
      'supervision_created_idx',
      'clue_closed_idx',
      'case_closed_idx',
      'case_filed_idx',
      'clue_transfer_feedback_due_idx',
      'clue_transfer_accept_deadline_idx',
      'clue_transfer_responded_idx',
      'clue_transfer_requested_idx',
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
  }
}
