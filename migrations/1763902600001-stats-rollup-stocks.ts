import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The roll-up's second part (docs/READING.md, "Roll-up"):
 *
 * - `stats_supervision_daily`: the supervision items' stocks as day changes — +1/−1 of the open
 *   and the overdue items on the day an item enters or leaves each state, +1 completed on its
 *   completion day — per scope prefix (the 2-, 4- and 6-digit prefixes of the item's scope
 *   regions), department and day. A stock at a day boundary is the sum of the changes before it.
 * - Persons sanctioned without a distinct count over the window's persons: `stats_person_point`
 *   holds every (person, scope prefix, day) a person was sanctioned in that scope (and per case
 *   owner) with the person's previous such day; `stats_person_daily` and `stats_person_monthly`
 *   count them over persons by (day, previous day) and by month. The distinct persons of a
 *   window are those whose first day in it has its previous day before the window
 *   (docs/READING.md). A change of a sanction or of its case's scope marks its person
 *   (`stats_person_dirty`), whose points are recomputed and whose counts are adjusted.
 * - Marking: the supervision items (their creation, deadline, completion and CANCEL entries)
 *   and the items whose target (clue, case, transfer) changes; an institution's change of
 *   region marks its self-check reports' days; TRUNCATE of any table the roll-up reads (or of
 *   the roll-up itself) asks for a rebuild.
 */
export class StatsRollupStocks1763902600001 implements MigrationInterface {
  name = 'StatsRollupStocks1763902600001';

  /** The supervision items whose moments a change moves (their days, into stats_dirty_day). */
  private readonly marks: Record<string, string> = {
    supervision_item: `SELECT x FROM stats_item_moments(ARRAY(SELECT r.id FROM $rows r)) x
      UNION ALL SELECT x FROM $rows r CROSS JOIN LATERAL (VALUES (r.created_at), (r.deadline), (r.completed_at)) v (x)`,
    state_change: `SELECT r.at FROM $rows r WHERE r.entity_type = 'SupervisionItem' AND r.event = 'CANCEL'
      UNION ALL SELECT x FROM stats_item_moments(ARRAY(SELECT r.entity_id FROM $rows r
        WHERE r.entity_type = 'SupervisionItem' AND r.event = 'CANCEL')) x`,
    clue: `SELECT x FROM stats_item_moments(ARRAY(
        SELECT i.id FROM $rows r JOIN supervision_item i ON i.clue_id = r.id
        UNION ALL SELECT i.id FROM $rows r JOIN clue_transfer t ON t.clue_id = r.id JOIN supervision_item i ON i.transfer_id = t.id
        UNION ALL SELECT i.id FROM $rows r JOIN case_clue kc ON kc.clue_id = r.id JOIN supervision_item i ON i.case_id = kc.case_id)) x`,
    case: `SELECT x FROM stats_item_moments(ARRAY(SELECT i.id FROM $rows r JOIN supervision_item i ON i.case_id = r.id)) x`,
    case_clue: `SELECT x FROM stats_item_moments(ARRAY(SELECT i.id FROM $rows r JOIN supervision_item i ON i.case_id = r.case_id)) x`,
    clue_transfer: `SELECT x FROM stats_item_moments(ARRAY(SELECT i.id FROM $rows r JOIN supervision_item i ON i.transfer_id = r.id)) x`,
  };

  /** The persons whose sanctions (or their scope) a change touches, into stats_person_dirty. */
  private readonly personMarks: Record<string, string> = {
    clue: `SELECT s.person_id FROM $rows r JOIN case_clue kc ON kc.clue_id = r.id JOIN sanction s ON s.case_id = kc.case_id`,
    case: `SELECT s.person_id FROM $rows r JOIN sanction s ON s.case_id = r.id`,
    case_clue: `SELECT s.person_id FROM $rows r JOIN sanction s ON s.case_id = r.case_id`,
    sanction: `SELECT r.person_id FROM $rows r`,
  };

  private readonly truncated = [
    'clue',
    'state_change',
    'clue_transfer',
    'case',
    'case_clue',
    'sanction',
    'collision_hit',
    'problem',
    'recheck',
    'self_check_report',
    'supervision_item',
    'institution',
    'department',
    'stats_daily',
    'stats_person_daily',
    'stats_person_monthly',
    'stats_supervision_daily',
    'stats_dirty_day',
    'stats_person_dirty',
    'stats_person_point',
  ];

  public async up(q: QueryRunner): Promise<void> {
    const statements = [
      // The prefixes a reading's jurisdiction can have (province 2, city 4, county 6 digits).
      `CREATE FUNCTION stats_prefixes(text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS
        $$ SELECT coalesce(array_agg(DISTINCT left(r, l) ORDER BY left(r, l)) FILTER (WHERE r IS NOT NULL), '{}')
           FROM unnest($1) r CROSS JOIN (VALUES (2), (4), (6)) v (l) $$`,
      // Every moment that dates a supervision item's changes: creation, deadline, completion, cancellations.
      `CREATE FUNCTION stats_item_moments(uuid[]) RETURNS SETOF timestamptz LANGUAGE sql STABLE AS
        $$ SELECT x FROM supervision_item i CROSS JOIN LATERAL (VALUES (i.created_at), (i.deadline), (i.completed_at)) v (x)
             WHERE i.id = ANY($1)
           UNION ALL SELECT s.at FROM state_change s
             WHERE s.entity_type = 'SupervisionItem' AND s.event = 'CANCEL' AND s.entity_id = ANY($1) $$`,
      `CREATE TABLE stats_supervision_daily (
        prefix text NOT NULL,
        -- OPEN, OVERDUE: a change (+1/−1) of the stock from the end of this day on; COMPLETED: completions.
        kind varchar(16) NOT NULL,
        dept uuid NOT NULL,
        day date NOT NULL,
        -- COMPLETED only: the creation day when after the completion day (counted when in the window).
        ref_day date,
        n integer NOT NULL
      )`,
      `CREATE INDEX stats_supervision_daily_prefix_idx ON stats_supervision_daily (prefix, day)`,
      `CREATE INDEX stats_supervision_daily_day_idx ON stats_supervision_daily (day)`,
      // Persons sanctioned: per scope prefix, every (person, day) a person was sanctioned in its
      // scope — for all departments (per_dept false) and per case owner — with the person's
      // previous such day (`prev`), aggregated over persons; and the same per month.
      `DROP TABLE stats_person_daily`,
      // Every (person, scope prefix, day) a person was sanctioned in that scope, for all
      // departments (per_dept false) and per case owner, with the person's previous such day.
      `CREATE TABLE stats_person_point (
        person_id text NOT NULL,
        prefix text NOT NULL,
        per_dept boolean NOT NULL,
        dept uuid,
        day date NOT NULL,
        prev date
      )`,
      `CREATE INDEX stats_person_point_person_idx ON stats_person_point (person_id)`,
      // The points counted over persons, by day and by month.
      `CREATE TABLE stats_person_daily (
        prefix text NOT NULL,
        per_dept boolean NOT NULL,
        dept uuid,
        day date NOT NULL,
        prev date,
        n integer NOT NULL,
        UNIQUE NULLS NOT DISTINCT (prefix, day, per_dept, dept, prev)
      )`,
      `CREATE INDEX stats_person_daily_prev_idx ON stats_person_daily (prefix, prev)`,
      `CREATE TABLE stats_person_monthly (
        prefix text NOT NULL,
        per_dept boolean NOT NULL,
        dept uuid,
        month date NOT NULL,
        prev_month date,
        n integer NOT NULL,
        UNIQUE NULLS NOT DISTINCT (prefix, month, per_dept, dept, prev_month)
      )`,
      `CREATE INDEX sanction_person_idx ON sanction (person_id) WHERE person_id IS NOT NULL`,
      `CREATE TABLE stats_person_dirty (person_id text NOT NULL)`,
      `CREATE FUNCTION stats_mark_persons() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          EXECUTE 'INSERT INTO stats_person_dirty (person_id) SELECT DISTINCT x FROM ('
            || replace(TG_ARGV[0], '$rows', 'stats_new') || ') d (x) WHERE x IS NOT NULL';
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          EXECUTE 'INSERT INTO stats_person_dirty (person_id) SELECT DISTINCT x FROM ('
            || replace(TG_ARGV[0], '$rows', 'stats_old') || ') d (x) WHERE x IS NOT NULL';
        END IF;
        RETURN NULL;
      END $$`,
      // The moments of the items whose target changes, and the items' ends after now.
      `CREATE INDEX supervision_item_clue_idx ON supervision_item (clue_id) WHERE clue_id IS NOT NULL`,
      `CREATE INDEX supervision_item_case_idx ON supervision_item (case_id) WHERE case_id IS NOT NULL`,
      `CREATE INDEX supervision_item_transfer_idx ON supervision_item (transfer_id) WHERE transfer_id IS NOT NULL`,
      `CREATE INDEX supervision_item_deadline_idx ON supervision_item (deadline)`,
      `CREATE INDEX supervision_item_completed_idx ON supervision_item (completed_at) WHERE completed_at IS NOT NULL`,
      // An institution's region puts its self-check reports in scope.
      `CREATE FUNCTION stats_mark_institution() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO stats_dirty_day (day)
          SELECT DISTINCT (r.recorded_at AT TIME ZONE 'Asia/Shanghai')::date FROM self_check_report r
          WHERE r.institution_code IN (OLD.code, NEW.code);
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER institution_stats_region AFTER UPDATE OF region_code, code ON institution
        FOR EACH ROW WHEN (OLD.region_code IS DISTINCT FROM NEW.region_code OR OLD.code IS DISTINCT FROM NEW.code)
        EXECUTE FUNCTION stats_mark_institution()`,
      `UPDATE stats_rollup_state SET rebuild = true`,
    ];
    for (const [table, sql] of Object.entries(this.marks)) {
      const arg = sql.replace(/'/g, "''").replace(/\s+/g, ' ');
      const quoted = table === 'case' ? '"case"' : table;
      const name = `${table}_stats_more`;
      statements.push(
        `CREATE TRIGGER ${name}_ins AFTER INSERT ON ${quoted} REFERENCING NEW TABLE AS stats_new
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_dirty('${arg}')`,
        `CREATE TRIGGER ${name}_upd AFTER UPDATE ON ${quoted} REFERENCING OLD TABLE AS stats_old NEW TABLE AS stats_new
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_dirty('${arg}')`,
        `CREATE TRIGGER ${name}_del AFTER DELETE ON ${quoted} REFERENCING OLD TABLE AS stats_old
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_dirty('${arg}')`,
      );
    }
    for (const [table, sql] of Object.entries(this.personMarks)) {
      const arg = sql.replace(/'/g, "''").replace(/\s+/g, ' ');
      const quoted = table === 'case' ? '"case"' : table;
      const name = `${table}_stats_persons`;
      statements.push(
        `CREATE TRIGGER ${name}_ins AFTER INSERT ON ${quoted} REFERENCING NEW TABLE AS stats_new
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_persons('${arg}')`,
        `CREATE TRIGGER ${name}_upd AFTER UPDATE ON ${quoted} REFERENCING OLD TABLE AS stats_old NEW TABLE AS stats_new
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_persons('${arg}')`,
        `CREATE TRIGGER ${name}_del AFTER DELETE ON ${quoted} REFERENCING OLD TABLE AS stats_old
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_persons('${arg}')`,
      );
    }
    for (const table of this.truncated) {
      const quoted = table === 'case' ? '"case"' : table;
      statements.push(
        `CREATE TRIGGER ${table}_stats_truncate AFTER TRUNCATE ON ${quoted}
          FOR EACH STATEMENT EXECUTE FUNCTION stats_rebuild()`,
      );
    }
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of this.truncated) {
      await q.query(`DROP TRIGGER ${table}_stats_truncate ON ${table === 'case' ? '"case"' : table}`);
    }
    for (const table of Object.keys(this.marks)) {
      const quoted = table === 'case' ? '"case"' : table;
      for (const op of ['ins', 'upd', 'del']) await q.query(`DROP TRIGGER ${table}_stats_more_${op} ON ${quoted}`);
    }
    for (const table of Object.keys(this.personMarks)) {
      const quoted = table === 'case' ? '"case"' : table;
      for (const op of ['ins', 'upd', 'del']) await q.query(`DROP TRIGGER ${table}_stats_persons_${op} ON ${quoted}`);
    }
    await q.query('DROP TABLE stats_person_dirty, stats_person_point');
    await q.query('DROP FUNCTION stats_mark_persons()');
    await q.query('DROP TRIGGER institution_stats_region ON institution');
    await q.query('DROP FUNCTION stats_mark_institution()');
    for (const index of ['clue', 'case', 'transfer', 'deadline', 'completed']) {
      await q.query(`DROP INDEX supervision_item_${index}_idx`);
    }
    await q.query('DROP INDEX sanction_person_idx');
    await q.query('DROP TABLE stats_person_daily, stats_person_monthly, stats_supervision_daily');
    await q.query(`CREATE TABLE stats_person_daily (day date NOT NULL, dept uuid, regions text[] NOT NULL, person_id text NOT NULL)`);
    await q.query(`CREATE INDEX stats_person_daily_day_idx ON stats_person_daily (day)`);
    await q.query('DROP FUNCTION stats_item_moments(uuid[]), stats_prefixes(text[])');
    await q.query('UPDATE stats_rollup_state SET rebuild = true');
  }
}
