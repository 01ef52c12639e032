import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The daily roll-up of the statistics' events (docs/READING.md, "Roll-up"): `stats_daily` holds
 * one row per (kind, sub, department, Shanghai day, related day, scope regions) with the
 * counts and sums of the events of that day, `stats_person_daily` the persons sanctioned per
 * (day, department, scope regions); `stats_dirty_day` lists the days whose rows are
 * stale; `stats_rollup_state` holds the watermark (the moment of the last refresh) and the
 * rebuild flag.
 *
 * The days are marked by statement-level triggers on every table an event figure reads, in
 * the writer's transaction: one place for every writer (services, the workflow's bulk system
 * events, batch jobs and direct SQL alike). A change marks the days of every event it can
 * change, its own and those of the rows that read it (a clue: its timeline, transfers, cases,
 * sanctions and hits). `stats_dirty_day` has no key, so that concurrent writers never wait on
 * each other; the refresh (stats.repository.ts) deletes what it reads and recomputes those days.
 * A change of a department's region asks for a full rebuild.
 */
export class StatsRollup1763902100001 implements MigrationInterface {
  name = 'StatsRollup1763902100001';

  public async up(q: QueryRunner): Promise<void> {
    // The timestamps an event of each table is dated by, and those of the rows that read it.
    // `$rows` is the transition table (new rows, then old rows on UPDATE and DELETE).
    const marks: Record<string, string> = {
      clue: `SELECT x FROM $rows r CROSS JOIN LATERAL (VALUES (r.created_at), (r.closed_at)) v (x)
        UNION ALL SELECT s.at FROM $rows r JOIN state_change s ON s.entity_type = 'Clue' AND s.entity_id = r.id
        UNION ALL SELECT x FROM $rows r JOIN clue_transfer t ON t.clue_id = r.id
          CROSS JOIN LATERAL (VALUES (t.requested_at), (t.responded_at), (t.accept_deadline), (t.feedback_deadline)) v (x)
        UNION ALL SELECT x FROM $rows r JOIN case_clue kc ON kc.clue_id = r.id JOIN "case" k ON k.id = kc.case_id
          CROSS JOIN LATERAL (VALUES (k.filed_at), (k.closed_at)) v (x)
        UNION ALL SELECT s.decided_at FROM $rows r JOIN case_clue kc ON kc.clue_id = r.id JOIN sanction s ON s.case_id = kc.case_id
        UNION ALL SELECT h.created_at FROM $rows r JOIN collision_hit h ON h.clue_id = r.id`,
      // ROUTE and the verdicts (初核结论); a verdict also marks the days of the clue's other
      // verdicts, whose rows read the day of the previous one. Other entries mark no day that
      // is not read anyway.
      state_change: `SELECT r.at FROM $rows r WHERE r.entity_type = 'Clue'
        UNION ALL SELECT s.at FROM $rows r JOIN state_change s ON s.entity_type = r.entity_type AND s.entity_id = r.entity_id
          AND s.event IN ('CONCLUDE_SUBSTANTIATED', 'CONCLUDE_UNSUBSTANTIATED')
          WHERE r.entity_type = 'Clue' AND r.event IN ('CONCLUDE_SUBSTANTIATED', 'CONCLUDE_UNSUBSTANTIATED')`,
      clue_transfer: `SELECT x FROM $rows r
        CROSS JOIN LATERAL (VALUES (r.requested_at), (r.responded_at), (r.accept_deadline), (r.feedback_deadline)) v (x)`,
      case: `SELECT x FROM $rows r CROSS JOIN LATERAL (VALUES (r.filed_at), (r.closed_at)) v (x)
        UNION ALL SELECT s.decided_at FROM $rows r JOIN sanction s ON s.case_id = r.id`,
      case_clue: `SELECT x FROM $rows r JOIN "case" k ON k.id = r.case_id
          CROSS JOIN LATERAL (VALUES (k.filed_at), (k.closed_at)) v (x)
        UNION ALL SELECT s.decided_at FROM $rows r JOIN sanction s ON s.case_id = r.case_id
        UNION ALL SELECT s.at FROM $rows r JOIN state_change s ON s.entity_type = 'Clue' AND s.entity_id = r.clue_id`,
      sanction: `SELECT r.decided_at FROM $rows r`,
      collision_hit: `SELECT r.created_at FROM $rows r`,
      problem: `SELECT x FROM $rows r CROSS JOIN LATERAL (VALUES (r.created_at), (r.closed_at)) v (x)
        UNION ALL SELECT c.completed_at FROM $rows r JOIN recheck c ON c.problem_id = r.id`,
      recheck: `SELECT r.completed_at FROM $rows r`,
      self_check_report: `SELECT r.recorded_at FROM $rows r`,
    };
    const statements = [
      `CREATE TABLE stats_daily (
        kind varchar(32) NOT NULL,
        sub text,
        dept uuid,
        day date NOT NULL,
        -- A related day: the missed accept deadline of an overdue feedback, the previous verdict of a clue.
        ref_day date,
        -- The region codes the event is in scope of (distinct, sorted): in a region when one lies in it.
        regions text[] NOT NULL,
        n integer NOT NULL,
        amount numeric,
        days_sum float8,
        days_n integer NOT NULL
      )`,
      `CREATE INDEX stats_daily_day_idx ON stats_daily (day)`,
      // The persons sanctioned per (day, department of the case, scope regions): distinct
      // counts do not add up over days, so a reading counts distinct persons over these rows.
      `CREATE TABLE stats_person_daily (
        day date NOT NULL,
        dept uuid,
        regions text[] NOT NULL,
        person_id text NOT NULL
      )`,
      `CREATE INDEX stats_person_daily_day_idx ON stats_person_daily (day)`,
      `CREATE TABLE stats_dirty_day (day date NOT NULL)`,
      `CREATE TABLE stats_rollup_state (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        refreshed_at timestamptz,
        rebuild boolean NOT NULL DEFAULT true
      )`,
      `INSERT INTO stats_rollup_state DEFAULT VALUES`,
      `CREATE FUNCTION stats_regions(text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS
        $$ SELECT coalesce(array_agg(DISTINCT r ORDER BY r) FILTER (WHERE r IS NOT NULL), '{}') FROM unnest($1) r $$`,
      `CREATE FUNCTION stats_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          EXECUTE 'INSERT INTO stats_dirty_day (day) SELECT DISTINCT (x AT TIME ZONE ''Asia/Shanghai'')::date FROM ('
            || replace(TG_ARGV[0], '$rows', 'stats_new') || ') d (x) WHERE x IS NOT NULL AND isfinite(x)';
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          EXECUTE 'INSERT INTO stats_dirty_day (day) SELECT DISTINCT (x AT TIME ZONE ''Asia/Shanghai'')::date FROM ('
            || replace(TG_ARGV[0], '$rows', 'stats_old') || ') d (x) WHERE x IS NOT NULL AND isfinite(x)';
        END IF;
        RETURN NULL;
      END $$`,
      `CREATE FUNCTION stats_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE stats_rollup_state SET rebuild = true;
        RETURN NULL;
      END $$`,
      `CREATE TRIGGER department_stats_region AFTER UPDATE OF region_code ON department
        FOR EACH STATEMENT EXECUTE FUNCTION stats_rebuild()`,
    ];
    for (const [table, sql] of Object.entries(marks)) {
      const arg = sql.replace(/'/g, "''").replace(/\s+/g, ' ');
      const name = `${table}_stats`;
      const quoted = table === 'case' ? '"case"' : table;
      statements.push(
        `CREATE TRIGGER ${name}_ins AFTER INSERT ON ${quoted} REFERENCING NEW TABLE AS stats_new
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_dirty('${arg}')`,
        `CREATE TRIGGER ${name}_upd AFTER UPDATE ON ${quoted} REFERENCING OLD TABLE AS stats_old NEW TABLE AS stats_new
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_dirty('${arg}')`,
        `CREATE TRIGGER ${name}_del AFTER DELETE ON ${quoted} REFERENCING OLD TABLE AS stats_old
          FOR EACH STATEMENT EXECUTE FUNCTION stats_mark_dirty('${arg}')`,
      );
    }
    for (const statement of statements) await q.query(statement);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
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
    ]) {
      const quoted = table === 'case' ? '"case"' : table;
      for (const op of ['ins', 'upd', 'del']) await q.query(`DROP TRIGGER ${table}_stats_${op} ON ${quoted}`);
    }
    await q.query('DROP TRIGGER department_stats_region ON department');
    await q.query('DROP FUNCTION stats_rebuild(), stats_mark_dirty(), stats_regions(text[])');
    await q.query('DROP TABLE stats_rollup_state, stats_dirty_day, stats_person_daily, stats_daily');
  }
}
