import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The clues a user may see (policy clueVisibleSql) are the union of clues owned by the visible
 * departments, created by users of their department, transferred from or to it, or copied to
 * it: each arm an index scan, combined with BitmapOr, so that a list counts only the visible
 * rows. The creator arm had no index.
 */
export class ClueVisibilityIndexes1763902600101 implements MigrationInterface {
  name = 'ClueVisibilityIndexes1763902600101';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX clue_created_by_idx ON clue (created_by)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX clue_created_by_idx`);
  }
}
