import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Announces every committed change of what an actor is made of — a user (active, roles,
 * department…), a department (kind, region) or a region's level — on the channel
 * `actor_changed`: the user's id, or `*` for all. Every API process LISTENs and forgets the
 * actors it kept (src/domain/auth/actor-cache.ts), so that a deactivation or a new role holds
 * on the next request, whichever process made the change.
 */
export class ActorChanged1763902400001 implements MigrationInterface {
  name = 'ActorChanged1763902400001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION actor_changed_user() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('actor_changed', OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION actor_changed_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('actor_changed', '*');
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER actor_changed_user AFTER UPDATE OR DELETE ON app_user
      FOR EACH ROW EXECUTE FUNCTION actor_changed_user()`);
    await q.query(`CREATE TRIGGER actor_changed_user_truncate AFTER TRUNCATE ON app_user
      FOR EACH STATEMENT EXECUTE FUNCTION actor_changed_all()`);
    await q.query(`CREATE TRIGGER actor_changed_department AFTER UPDATE OR DELETE OR TRUNCATE ON department
      FOR EACH STATEMENT EXECUTE FUNCTION actor_changed_all()`);
    await q.query(`CREATE TRIGGER actor_changed_region AFTER UPDATE OR DELETE OR TRUNCATE ON region
      FOR EACH STATEMENT EXECUTE FUNCTION actor_changed_all()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER actor_changed_region ON region');
    await q.query('DROP TRIGGER actor_changed_department ON department');
    await q.query('DROP TRIGGER actor_changed_user_truncate ON app_user');
    await q.query('DROP TRIGGER actor_changed_user ON app_user');
    await q.query('DROP FUNCTION actor_changed_all()');
    await q.query('DROP FUNCTION actor_changed_user()');
  }
}
