import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Announces every committed change of what API processes keep between requests
 * (src/domain/auth/kept-reads.ts) on the channel `kept_changed`: `user:<id>` for a user (active,
 * roles, department…), `user:*` when users are truncated, `department`, `region` or
 * `institution` for any change of those tables. Every API process LISTENs and forgets what an
 * announcement touches, so that a deactivation or a new role holds on the next request,
 * whichever process made the change. Inserts announce nothing: nothing kept can be stale.
 */
export class KeptChanged1763902400001 implements MigrationInterface {
  name = 'KeptChanged1763902400001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION kept_changed_user() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('kept_changed', 'user:' || OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION kept_changed_table() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('kept_changed', TG_ARGV[0]);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER kept_changed_user AFTER UPDATE OR DELETE ON app_user
      FOR EACH ROW EXECUTE FUNCTION kept_changed_user()`);
    await q.query(`CREATE TRIGGER kept_changed_user_truncate AFTER TRUNCATE ON app_user
      FOR EACH STATEMENT EXECUTE FUNCTION kept_changed_table('user:*')`);
    for (const table of ['department', 'region', 'institution']) {
      await q.query(`CREATE TRIGGER kept_changed_${table} AFTER UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION kept_changed_table('${table}')`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['department', 'region', 'institution']) {
      await q.query(`DROP TRIGGER kept_changed_${table} ON ${table}`);
    }
    await q.query('DROP TRIGGER kept_changed_user_truncate ON app_user');
    await q.query('DROP TRIGGER kept_changed_user ON app_user');
    await q.query('DROP FUNCTION kept_changed_table()');
    await q.query('DROP FUNCTION kept_changed_user()');
  }
}
