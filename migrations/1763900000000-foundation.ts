import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reference data (regions, departments, institutions, persons, relations), users and the
 * audit log. Table DDL generated from the entities, then reviewed; the audit log's
 * append-only trigger added by hand.
 */
export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    for (const statement of [
      'CREATE TABLE "audit_log" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_id" uuid, "action" text NOT NULL, "target_type" text, "target_id" text, "detail" jsonb, "prev_hash" character(64), "hash" character(64) NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))',
      'CREATE INDEX "IDX_15a6f5aad57db494c17986ed2e" ON "audit_log"  ("actor_id") ',
      'CREATE INDEX "IDX_7368834c55d62d1853a7eef090" ON "audit_log"  ("target_id") ',
      'CREATE TABLE "region" ("code" character varying(6) NOT NULL, "name" text NOT NULL, "level" character varying(8) NOT NULL, "parent_code" character varying(6), CONSTRAINT "PK_74f7723fdff738f92929c0056cb" PRIMARY KEY ("code"))',
      'CREATE INDEX "IDX_73a16baaad741cbb01fa629e95" ON "region"  ("parent_code") ',
      'CREATE TABLE "department" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(24) NOT NULL, "region_code" character varying(6) NOT NULL, "name" text NOT NULL, CONSTRAINT "uq_department_kind_region" UNIQUE ("kind", "region_code"), CONSTRAINT "PK_9a2213262c1593bffb581e382f5" PRIMARY KEY ("id"))',
      'CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(64) NOT NULL, "display_name" text NOT NULL, "password_hash" text NOT NULL, "department_id" uuid NOT NULL, "roles" text array NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))',
      'CREATE UNIQUE INDEX "IDX_c480e576dd71729addbc2d51b6" ON "app_user"  ("username") ',
      'CREATE INDEX "IDX_7bbda4c333c1da023d2f2ae732" ON "app_user"  ("department_id") ',
      'CREATE TABLE "institution" ("code" character varying(32) NOT NULL, "name" text NOT NULL, "kind" character varying(16) NOT NULL, "level" character varying(12) NOT NULL, "ownership" character varying(8) NOT NULL, "region_code" character varying(6) NOT NULL, CONSTRAINT "PK_505d00ce02e2c67d3e0df4c72fa" PRIMARY KEY ("code"))',
      'CREATE INDEX "IDX_f939108f88aa14de04742d02ee" ON "institution"  ("region_code") ',
      'CREATE TABLE "person" ("person_id" character varying(32) NOT NULL, "name" text NOT NULL, "gender" character varying(1), "birth_date" date, "region_code" character varying(6), "death_date" date, "is_public_official" boolean NOT NULL DEFAULT false, "employer_code" character varying(32), "id_number_enc" bytea, "id_number_hash" bytea, "id_number_masked" character varying(18), "bank_account_enc" bytea, "bank_account_hash" bytea, "bank_account_masked" character varying(19), CONSTRAINT "PK_403c951c5e9b776c16385a8940f" PRIMARY KEY ("person_id"))',
      'CREATE INDEX "IDX_e57fee01ac9c565e12ce71b4b8" ON "person"  ("region_code") ',
      'CREATE INDEX "IDX_65e201473699eabbb37f67b6bc" ON "person"  ("id_number_hash") ',
      'CREATE INDEX "IDX_0435f7a86b8dac027f5ea6ddba" ON "person"  ("bank_account_hash") ',
      'CREATE TABLE "person_relation" ("person_a" character varying(32) NOT NULL, "person_b" character varying(32) NOT NULL, "kind" character varying(16) NOT NULL, CONSTRAINT "PK_30f0416b804328deabe8567d84a" PRIMARY KEY ("person_a", "person_b", "kind"))',
      'CREATE INDEX "IDX_32a5eb5d9e66db1082811c2732" ON "person_relation"  ("person_b") ',
      'ALTER TABLE "region" ADD CONSTRAINT "FK_73a16baaad741cbb01fa629e95a" FOREIGN KEY ("parent_code") REFERENCES "region"("code") ON DELETE RESTRICT ON UPDATE NO ACTION',
      'ALTER TABLE "department" ADD CONSTRAINT "FK_789fd959c564b31187c2daa2b4b" FOREIGN KEY ("region_code") REFERENCES "region"("code") ON DELETE RESTRICT ON UPDATE NO ACTION',
      'ALTER TABLE "app_user" ADD CONSTRAINT "FK_7bbda4c333c1da023d2f2ae7320" FOREIGN KEY ("department_id") REFERENCES "department"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
      'ALTER TABLE "institution" ADD CONSTRAINT "FK_f939108f88aa14de04742d02ee0" FOREIGN KEY ("region_code") REFERENCES "region"("code") ON DELETE RESTRICT ON UPDATE NO ACTION',
      'ALTER TABLE "person" ADD CONSTRAINT "FK_e57fee01ac9c565e12ce71b4b85" FOREIGN KEY ("region_code") REFERENCES "region"("code") ON DELETE RESTRICT ON UPDATE NO ACTION',
      'ALTER TABLE "person_relation" ADD CONSTRAINT "FK_f767acd3f6511703a4d77bd2995" FOREIGN KEY ("person_a") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION',
      'ALTER TABLE "person_relation" ADD CONSTRAINT "FK_32a5eb5d9e66db1082811c27325" FOREIGN KEY ("person_b") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION',
    ]) {
      await q.query(statement);
    }
    // The one definition of an entry's hash: appendAudit and verifyAuditChain both call it.
    await q.query(`
      CREATE FUNCTION audit_entry_hash(prev_hash text, at timestamptz, actor_id uuid, action text,
                                       target_type text, target_id text, detail jsonb)
      RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT encode(sha256(convert_to(concat_ws('|', coalesce(prev_hash, ''),
          (extract(epoch FROM at) * 1000000)::bigint::text, coalesce(actor_id::text, ''), action,
          coalesce(target_type, ''), coalesce(target_id, ''), coalesce(detail::text, '')), 'UTF8')), 'hex')
      $$`);
    // Append-only: the application never updates or deletes audit entries.
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_log', 'person_relation', 'person', 'institution', 'app_user', 'department', 'region']) {
      await q.query(`DROP TABLE "${table}" CASCADE`);
    }
    await q.query('DROP FUNCTION audit_log_append_only()');
    await q.query('DROP FUNCTION audit_entry_hash(text, timestamptz, uuid, text, text, text, jsonb)');
  }
}
