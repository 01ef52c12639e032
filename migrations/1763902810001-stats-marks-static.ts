import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The roll-up's marking triggers (docs/READING.md, "Roll-up") with their SQL planned once per
 * session instead of at every write. `stats_mark_dirty(sql)` and `stats_mark_persons(sql)` run
 * their argument with EXECUTE, which parses and plans it on every statement that fires them: a
 * clue transition's UPDATE spent ≈2.5 ms of database CPU planning its three marks (a UNION of
 * six joins, for the new rows and again for the old), for 0.1 ms of work. Each such trigger now
 * calls a function of its own (`stats_mark__<trigger>`) whose body is the same SQL written out —
 * the same argument with `$rows` replaced by the trigger's transition tables, under the same
 * TG_OP tests — so PL/pgSQL keeps its plans. The triggers' names, events, timing and transition
 * tables stay as they are, and the argument itself is kept as the function's comment (down
 * restores the triggers from it). Triggers created later with the generic functions keep working.
 */
export class StatsMarksStatic1763902810001 implements MigrationInterface {
  name = 'StatsMarksStatic1763902810001';

  public async up(q: QueryRunner): Promise<void> {
    const triggers: { oid: number; name: string; table: string; fn: string; args: Buffer; def: string }[] =
      await q.query(
        `SELECT t.oid, t.tgname AS name, t.tgrelid::regclass::text AS "table", p.proname AS fn, t.tgargs AS args,
                pg_get_triggerdef(t.oid) AS def
         FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE NOT t.tgisinternal AND p.proname IN ('stats_mark_dirty', 'stats_mark_persons') ORDER BY t.tgname`,
      );
    for (const trigger of triggers) {
      const [sql] = trigger.args.toString('utf8').split('\0');
      const [, newTable] = /NEW TABLE AS (\w+)/.exec(trigger.def) ?? [];
      const [, oldTable] = /OLD TABLE AS (\w+)/.exec(trigger.def) ?? [];
      const mark = (rows: string) =>
        trigger.fn === 'stats_mark_dirty'
          ? `INSERT INTO stats_dirty_day (day) SELECT DISTINCT (x AT TIME ZONE 'Asia/Shanghai')::date FROM (
               ${sql.replaceAll('$rows', rows)}) d (x) WHERE x IS NOT NULL AND isfinite(x);`
          : `INSERT INTO stats_person_dirty (person_id) SELECT DISTINCT x FROM (
               ${sql.replaceAll('$rows', rows)}) d (x) WHERE x IS NOT NULL;`;
      const fn = `stats_mark__${trigger.name}`;
      await q.query(
        `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $mark$
         BEGIN
           ${newTable ? `IF TG_OP IN ('INSERT', 'UPDATE') THEN ${mark(newTable)} END IF;` : ''}
           ${oldTable ? `IF TG_OP IN ('UPDATE', 'DELETE') THEN ${mark(oldTable)} END IF;` : ''}
           RETURN NULL;
         END $mark$`,
      );
      await q.query(`COMMENT ON FUNCTION ${fn}() IS ${quote(`${trigger.fn}:${sql}`)}`);
      await q.query(`DROP TRIGGER ${trigger.name} ON ${trigger.table}`);
      await q.query(trigger.def.replace(/EXECUTE FUNCTION .*$/s, `EXECUTE FUNCTION ${fn}()`));
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    const triggers: { name: string; table: string; fn: string; comment: string; def: string }[] = await q.query(
      `SELECT t.tgname AS name, t.tgrelid::regclass::text AS "table", p.proname AS fn,
              obj_description(p.oid, 'pg_proc') AS comment, pg_get_triggerdef(t.oid) AS def
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE NOT t.tgisinternal AND p.proname LIKE 'stats\\_mark\\_\\_%' ORDER BY t.tgname`,
    );
    for (const trigger of triggers) {
      const separator = trigger.comment.indexOf(':');
      const generic = trigger.comment.slice(0, separator);
      const sql = trigger.comment.slice(separator + 1);
      await q.query(`DROP TRIGGER ${trigger.name} ON ${trigger.table}`);
      await q.query(trigger.def.replace(/EXECUTE FUNCTION .*$/s, `EXECUTE FUNCTION ${generic}(${quote(sql)})`));
      await q.query(`DROP FUNCTION ${trigger.fn}()`);
    }
  }
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
