import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pharmacies' drug sales every INVENTORY_MISMATCH run sums (issue 14): that model is
 * cumulative by definition (every DRUG line of a pharmacy with charged_on ≤ the window's end,
 * MODELS.md), so a nightly run re-summed all of history. `collision_pharmacy_sales` keeps
 * Σquantity and Σamount of the DRUG lines of PHARMACY institutions per (settlement_item
 * partition, institution, item, month of charged_on), with the last charged_on of each group: a
 * run sums the groups of the months before its end's month, and of that month where all its
 * lines are charged by the end, and reads lines only for the rest (none for a nightly run:
 * src/collision/pharmacy-sales.ts, src/collision/models/inventory-mismatch.ts).
 *
 * A partition's rows are recomputed whole when it changed: `collision_pharmacy_sales_part`
 * records the partition (by name) with its bounds and the identity and storage (oid,
 * relfilenode) of it and of the settlement partition of the same bounds when it was summarised
 * — a partition attached, re-created or truncated since has others — and
 * `collision_dirty_month` receives, from statement-level triggers in the writer's own
 * transaction, the month of every settlement and DRUG line inserted, updated or deleted through
 * the partitioned tables, and '-infinity' (everything) when the set of pharmacies may have
 * changed (an institution becoming or ceasing to be a PHARMACY, deleted, or a pharmacy added
 * that already has settlements). Like `stats_dirty_day` it has no key, so concurrent writers
 * never wait on each other; the refresh deletes what it read.
 */
export class PharmacySalesSummary1763902600014 implements MigrationInterface {
  name = 'PharmacySalesSummary1763902600014';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE collision_pharmacy_sales (
        part text NOT NULL,
        part_from date NOT NULL,
        part_to date NOT NULL,
        institution_code varchar(32) NOT NULL,
        item_code varchar(40) NOT NULL,
        charged_month date NOT NULL,
        quantity numeric NOT NULL,
        amount numeric NOT NULL,
        last_charged_on date NOT NULL,
        PRIMARY KEY (part, institution_code, item_code, charged_month)
      )`);
    await q.query('CREATE INDEX collision_pharmacy_sales_month_idx ON collision_pharmacy_sales (charged_month)');
    await q.query(`
      CREATE TABLE collision_pharmacy_sales_part (
        part text PRIMARY KEY,
        part_from date NOT NULL,
        part_to date NOT NULL,
        item_rel bigint NOT NULL,
        item_node bigint NOT NULL,
        settlement_rel bigint,
        settlement_node bigint,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE TABLE collision_dirty_month (month date NOT NULL)');
    await q.query(`
      CREATE FUNCTION collision_mark_months() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          EXECUTE 'INSERT INTO collision_dirty_month (month) SELECT DISTINCT date_trunc(''month'', settled_on::timestamp)::date
                   FROM collision_new WHERE ' || TG_ARGV[0];
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          EXECUTE 'INSERT INTO collision_dirty_month (month) SELECT DISTINCT date_trunc(''month'', settled_on::timestamp)::date
                   FROM collision_old WHERE ' || TG_ARGV[0];
        END IF;
        RETURN NULL;
      END $$`);
    // Institutions: only a change of who is a pharmacy matters (ingest re-sends institutions).
    await q.query(`
      CREATE FUNCTION collision_mark_pharmacies() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        changed boolean := TG_OP = 'TRUNCATE';
      BEGIN
        -- one branch per operation: a transition table exists only for its own
        IF TG_OP = 'INSERT' THEN
          changed := EXISTS (SELECT FROM collision_new n WHERE n.kind = 'PHARMACY'
                             AND EXISTS (SELECT FROM settlement s WHERE s.institution_code = n.code));
        ELSIF TG_OP = 'DELETE' THEN
          changed := EXISTS (SELECT FROM collision_old o WHERE o.kind = 'PHARMACY');
        ELSIF TG_OP = 'UPDATE' THEN
          changed := EXISTS (SELECT code FROM collision_old WHERE kind = 'PHARMACY'
                             EXCEPT SELECT code FROM collision_new WHERE kind = 'PHARMACY')
                  OR EXISTS (SELECT code FROM collision_new WHERE kind = 'PHARMACY'
                             EXCEPT SELECT code FROM collision_old WHERE kind = 'PHARMACY');
        END IF;
        IF changed THEN
          INSERT INTO collision_dirty_month (month) VALUES ('-infinity');
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER institution_collision_ins AFTER INSERT ON institution
      REFERENCING NEW TABLE AS collision_new FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_pharmacies()`);
    await q.query(`CREATE TRIGGER institution_collision_upd AFTER UPDATE ON institution
      REFERENCING OLD TABLE AS collision_old NEW TABLE AS collision_new
      FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_pharmacies()`);
    await q.query(`CREATE TRIGGER institution_collision_del AFTER DELETE ON institution
      REFERENCING OLD TABLE AS collision_old FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_pharmacies()`);
    await q.query(`CREATE TRIGGER institution_collision_truncate AFTER TRUNCATE ON institution
      FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_pharmacies()`);
    const marks: [string, string][] = [
      ['settlement', 'true'],
      ['settlement_item', "item_kind = ''DRUG''"],
    ];
    for (const [table, where] of marks) {
      await q.query(`CREATE TRIGGER ${table}_collision_ins AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS collision_new FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_months('${where}')`);
      await q.query(`CREATE TRIGGER ${table}_collision_upd AFTER UPDATE ON ${table}
        REFERENCING OLD TABLE AS collision_old NEW TABLE AS collision_new
        FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_months('${where}')`);
      await q.query(`CREATE TRIGGER ${table}_collision_del AFTER DELETE ON ${table}
        REFERENCING OLD TABLE AS collision_old FOR EACH STATEMENT EXECUTE FUNCTION collision_mark_months('${where}')`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const op of ['ins', 'upd', 'del', 'truncate']) await q.query(`DROP TRIGGER institution_collision_${op} ON institution`);
    await q.query('DROP FUNCTION collision_mark_pharmacies()');
    for (const table of ['settlement', 'settlement_item']) {
      for (const op of ['ins', 'upd', 'del']) await q.query(`DROP TRIGGER ${table}_collision_${op} ON ${table}`);
    }
    await q.query('DROP FUNCTION collision_mark_months()');
    await q.query('DROP TABLE collision_dirty_month, collision_pharmacy_sales_part, collision_pharmacy_sales');
  }
}
