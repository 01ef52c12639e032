import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The drug sales every INVENTORY_MISMATCH run sums (issue 14): that model is cumulative by
 * definition (every DRUG line with charged_on ≤ the window's end, MODELS.md), so a nightly run
 * re-summed all of history. `collision_drug_sales` keeps Σquantity and Σamount of the DRUG lines
 * per (settlement_item partition, institution of the settlement, item, month of charged_on),
 * with the last charged_on of each: a run sums the rows of the months before its end's month,
 * and those of that month charged up to its end, and reads lines only for the rest (the groups
 * of its end's month charged after its end: none for a nightly run, src/collision/drug-sales.ts).
 *
 * A partition's rows are recomputed whole when it changed: `collision_drug_sales_part` records
 * the partition (by name) with its bounds and the identity and storage (oid, relfilenode) of it
 * and of the settlement partition of the same bounds when it was summarised — a partition
 * attached, re-created or truncated since has another — and `collision_dirty_month` receives,
 * from statement-level triggers in the writer's own transaction, the month of every settlement
 * and DRUG line inserted, updated or deleted through the partitioned tables. Like
 * `stats_dirty_day` it has no key, so concurrent writers never wait on each other; the refresh
 * deletes what it read.
 */
export class DrugSalesSummary1763902600014 implements MigrationInterface {
  name = 'DrugSalesSummary1763902600014';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE collision_drug_sales (
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
    await q.query('CREATE INDEX collision_drug_sales_month_idx ON collision_drug_sales (charged_month)');
    await q.query(`
      CREATE TABLE collision_drug_sales_part (
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
    for (const table of ['settlement', 'settlement_item']) {
      for (const op of ['ins', 'upd', 'del']) await q.query(`DROP TRIGGER ${table}_collision_${op} ON ${table}`);
    }
    await q.query('DROP FUNCTION collision_mark_months()');
    await q.query('DROP TABLE collision_dirty_month, collision_drug_sales_part, collision_drug_sales');
  }
}
