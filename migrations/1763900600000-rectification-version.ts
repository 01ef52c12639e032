import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rectification items become a workflow entity of their own (rectification.machine.ts): OPEN →
 * DONE through applyEvent, which versions the row (optimistic locking). Existing items start
 * at version 1; every row is kept.
 */
export class RectificationVersion1763900600000 implements MigrationInterface {
  name = 'RectificationVersion1763900600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rectification_item ADD COLUMN version integer NOT NULL DEFAULT 1');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rectification_item DROP COLUMN version');
  }
}
