import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * personByIdNumber (issue 13 item 3) looks a person up by the keyed hash of the ID number: a
 * hash index (it stores 4-byte hash codes, so it stays small and costs the person load far less
 * than the btree over 32-byte random values dropped in 1763900500000-ingest-direct).
 *
 * User administration (issue 13 item 4): a password reset by an administrator forces a change at
 * the next login (`must_change_password`), and a user's deactivation is recorded with its time.
 * The per-request user load already reads `active`, so a deactivated user's tokens stop working
 * at once; it now reads `must_change_password` with it.
 */
export class UserAdmin1763902200001 implements MigrationInterface {
  name = 'UserAdmin1763902200001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user
      ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
      ADD COLUMN deactivated_at timestamptz,
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await q.query('CREATE INDEX person_id_number_hash_idx ON person USING hash (id_number_hash)');
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX person_id_number_hash_idx');
    await q.query(`ALTER TABLE app_user
      DROP COLUMN must_change_password, DROP COLUMN deactivated_at, DROP COLUMN updated_at`);
  }
}
