import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The maintenance sweep routes the clues still NEW a minute after their creation (their routing
 * job lost: routeStrandedClues). NEW is a clue's first, brief state: a partial index keeps the
 * sweep's look, every 30 s, to those few rows instead of scanning every clue.
 */
export class ClueNewIndex1763902700001 implements MigrationInterface {
  name = 'ClueNewIndex1763902700001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX clue_new_idx ON clue (created_at) WHERE status = 'NEW'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX clue_new_idx`);
  }
}
