import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications people read (PRODUCT.md §9): a body beside the message (which is the title),
 * the target's type widened for the new entities, an index for the unread count, and a trigger
 * that announces every committed notification on the channel `notification_added` (NOTIFY is
 * delivered on commit only, so a rolled-back change never announces anything). Every API
 * process LISTENs and feeds its own subscribers (notification.feed.ts).
 */
export class Notifications1763900800000 implements MigrationInterface {
  name = 'Notifications1763900800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE notification ADD COLUMN body text');
    await q.query('ALTER TABLE notification ALTER COLUMN entity_type TYPE varchar(40)');
    await q.query('CREATE INDEX notification_unread_idx ON notification (user_id, id) WHERE read_at IS NULL');
    await q.query(`
      CREATE FUNCTION notification_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('notification_added', json_build_object('id', NEW.id::text, 'userId', NEW.user_id)::text);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER notification_added AFTER INSERT ON notification
      FOR EACH ROW EXECUTE FUNCTION notification_added()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER notification_added ON notification');
    await q.query('DROP FUNCTION notification_added()');
    await q.query('DROP INDEX notification_unread_idx');
    await q.query('ALTER TABLE notification DROP COLUMN body');
  }
}
