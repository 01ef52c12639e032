import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 回头看 re-runs collision models for one institution (PRODUCT.md §9): a collision run may be
 * scoped to institutions (the subject institution of its hits) and may leave its hits without
 * clues (the recheck attaches them to its own RECHECK clue).
 */
export class RecheckRuns1763900920000 implements MigrationInterface {
  name = 'RecheckRuns1763900920000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE collision_run
         ADD COLUMN institution_codes text[],
         ADD COLUMN forms_clues boolean NOT NULL DEFAULT true`,
    );
    await q.query(`CREATE INDEX recheck_running_idx ON recheck (run_id) WHERE status = 'RUNNING'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX recheck_running_idx');
    await q.query('ALTER TABLE collision_run DROP COLUMN institution_codes, DROP COLUMN forms_clues');
  }
}
