import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ingest direct path (docs/INGEST.md):
 * - the ingest log records how each file was loaded: DIRECT (checked in the stream and copied
 *   straight into its table) or STAGED (staging table, set-based checks in SQL);
 * - persons keep one index on a keyed hash, for the only query that looks one up;
 * - the references of persons (region) and person relations (persons) are the loader's to
 *   check, set-wise, as those of settlements and items always were — a foreign-key trigger per
 *   row re-checked each of them and cost a third of the person load. Persons are never deleted.
 */
export class IngestDirect1763900500000 implements MigrationInterface {
  name = 'IngestDirect1763900500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE ingest_file ADD COLUMN load_path text CHECK (load_path IN ('DIRECT', 'STAGED'))");
    await q.query('ALTER TABLE person DROP CONSTRAINT "FK_e57fee01ac9c565e12ce71b4b85"');
    await q.query('ALTER TABLE person_relation DROP CONSTRAINT "FK_f767acd3f6511703a4d77bd2995"');
    await q.query('ALTER TABLE person_relation DROP CONSTRAINT "FK_32a5eb5d9e66db1082811c27325"');
    // Indexes on random keyed hashes cost half the person load; only INSIDER_PAYEE looks a
    // hash up, and only among public officials.
    await q.query('DROP INDEX "IDX_65e201473699eabbb37f67b6bc"');
    await q.query('DROP INDEX "IDX_0435f7a86b8dac027f5ea6ddba"');
    await q.query(
      'CREATE INDEX person_official_bank_account_idx ON person (bank_account_hash) WHERE is_public_official',
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX person_official_bank_account_idx');
    await q.query('CREATE INDEX "IDX_0435f7a86b8dac027f5ea6ddba" ON person (bank_account_hash)');
    await q.query('CREATE INDEX "IDX_65e201473699eabbb37f67b6bc" ON person (id_number_hash)');
    await q.query(
      'ALTER TABLE person_relation ADD CONSTRAINT "FK_32a5eb5d9e66db1082811c27325" FOREIGN KEY ("person_b") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await q.query(
      'ALTER TABLE person_relation ADD CONSTRAINT "FK_f767acd3f6511703a4d77bd2995" FOREIGN KEY ("person_a") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await q.query(
      'ALTER TABLE person ADD CONSTRAINT "FK_e57fee01ac9c565e12ce71b4b85" FOREIGN KEY ("region_code") REFERENCES "region"("code") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await q.query('ALTER TABLE ingest_file DROP COLUMN load_path');
  }
}
