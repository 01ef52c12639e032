/**
 * Reading benchmark: fills a fresh database with ~200k clues, ~50k transfers, ~20k cases and
 * their timeline with generate_series (the roll-up's triggers on), builds the roll-up, then
 * times supervisionStats for the province over a year (and a city, a county) from the roll-up
 * (p50, p99 of --runs) and from the events (the direct aggregation, --direct-runs), checks the
 * two agree, times a reading after updates of the most recent clues, and caseGraph at its limits. Prints one
 * JSON line.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/stats/run.js [--clues 200000] [--runs 100]
 *     [--direct-runs 5] [--graph-runs 5] [--writes 100] [--keep] [--db NAME [--reuse]]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server;
 * the database itself is created and dropped (unless --keep). `--db NAME` names it (kept);
 * with `--reuse`, a database of that name already filled (by an earlier `--db NAME` run with
 * the same --clues) is used as it is: pending migrations are applied and the fill is skipped
 * (the "reading after writes" step rewrites values unchanged, so the data stays the same).
 * The roll-up "build" of a reused database is whatever its first refresh has to do.
 */
import { performance } from 'node:perf_hooks';
import { createDataSource } from '../../src/db/data-source';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { caseGraph } from '../../src/domain/graph/case-graph.service';
import { SEED_REGIONS } from '../../src/domain/reference/regions.seed';
import { refreshRollup, StatsSource } from '../../src/domain/stats/stats.repository';
import { supervisionStats } from '../../src/domain/stats/stats.service';
import { toGlobalId } from '../../src/core/ids';
import { Actor } from '../../src/policy';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const CLUES = arg('clues', 200_000);
/** Warm runs of each roll-up reading (p50, p99), of each direct reading, and of each graph. */
const RUNS = arg('runs', 100);
const DIRECT_RUNS = arg('direct-runs', 5);
const GRAPH_RUNS = arg('graph-runs', 5);
/** The most recent clues updated before the reading after writes. */
const WRITES = arg('writes', 100);
const dbIndex = process.argv.indexOf('--db');
/** A named database, kept (and reused as it is with --reuse). */
const DB_NAME = dbIndex > 0 ? process.argv[dbIndex + 1] : undefined;
const REUSE = process.argv.includes('--reuse');
const KEEP = process.argv.includes('--keep') || DB_NAME !== undefined;

/**
 * The data: clues spread over 2024–2025 across the 8 seed counties, every clue registered and
 * routed (timeline), every 4th transferred (50k), every 10th a case (20k) with sanctions,
 * a third of the others closed with an amount recovered, and supervision items.
 */
const FILL = [
  `INSERT INTO region (code, name, level, parent_code)
   SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, level text, "parentCode" text) ORDER BY code`,
  `INSERT INTO department (kind, region_code, name)
   SELECT k, r.code, r.name || k
     FROM region r, unnest('{MEDICAL_INSURANCE,HEALTH,PUBLIC_SECURITY,DISCIPLINE}'::text[]) k`,
  `INSERT INTO app_user (username, display_name, password_hash, department_id, roles)
   SELECT 'bench', 'bench', 'x', id, '{LEADER}' FROM department WHERE kind = 'DISCIPLINE' AND region_code = '610000'`,
  `CREATE TEMP TABLE county AS SELECT row_number() OVER (ORDER BY code) - 1 AS n, code FROM region
    WHERE level = 'COUNTY'`,
  `INSERT INTO institution (code, name, kind, level, ownership, region_code)
   SELECT 'H' || i, '医院' || i, 'HOSPITAL', 'SECONDARY', 'PUBLIC', c.code
   FROM generate_series(0, 1999) i JOIN county c ON c.n = i % 8`,
  `INSERT INTO person (person_id, name, region_code)
   SELECT 'P' || i, '参保人' || i, c.code FROM generate_series(0, 99999) i JOIN county c ON c.n = i % 8`,
  `INSERT INTO clue (id, code, title, source, status, region_code, institution_code, amount_involved,
    owner_department_id,
                     routed_at, created_at, closed_at, recovered_amount)
   SELECT md5('clue' || i)::uuid, 'XS-' || i, '线索' || i, 'DATA_COLLISION',
          CASE WHEN i % 10 = 0 THEN 'CASE_OPENED' WHEN i % 3 = 1 THEN 'CLOSED' ELSE 'VERIFYING' END,
          c.code, 'H' || (i % 2000), ((i::bigint * 7919) % 100000) / 100.0, d.id,
          t.created + interval '2 hours', t.created,
          CASE WHEN i % 10 <> 0 AND i % 3 = 1 THEN t.created + interval '20 days' END,
          CASE WHEN i % 10 <> 0 AND i % 3 = 1 THEN ((i::bigint * 104729) % 500000) / 100.0 END
   FROM generate_series(0, $1::int - 1) i
   JOIN county c ON c.n = (i % 2000) % 8
   JOIN department d ON d.region_code = c.code AND d.kind = 'MEDICAL_INSURANCE'
   CROSS JOIN LATERAL (SELECT timestamptz '2024-01-01 00:00+08' + (i::float8 / $1::int) * interval '730 days'
                       AS created) t`,
  `INSERT INTO clue_person (clue_id, person_id, role)
   SELECT md5('clue' || i)::uuid, 'P' || ((i * 31) % 100000), 'SUBJECT' FROM generate_series(0, $1::int - 1) i`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event, detail)
   SELECT 'Clue', c.id, c.created_at, NULL, 'NEW', 'REGISTER', NULL FROM clue c
   UNION ALL
   SELECT 'Clue', c.id, c.routed_at, 'NEW', 'ASSIGNED', 'ROUTE', jsonb_build_object('departmentId',
     c.owner_department_id) FROM clue c
   UNION ALL
   SELECT 'Clue', c.id, c.closed_at, 'SUBSTANTIATED', 'CLOSED', 'CLOSE', NULL FROM clue c
     WHERE c.closed_at IS NOT NULL`,
  `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, requested_at,
                              accept_deadline, responded_at, feedback_deadline, feedback_at, clue_status_before)
   SELECT c.id, c.owner_department_id, p.id, '移送',
          s.status, (SELECT id FROM app_user LIMIT 1), r.at, r.at + interval '7 days',
          CASE WHEN s.status <> 'PENDING' THEN r.at + (n % 10) * interval '1 day' + interval '3 hours' END,
          CASE WHEN s.status IN ('ACCEPTED', 'FEEDBACK_GIVEN') THEN r.at + interval '45 days' END,
          CASE WHEN s.status = 'FEEDBACK_GIVEN' THEN r.at + interval '30 days' END,
          'VERIFYING'
   FROM (SELECT c.*, row_number() OVER (ORDER BY c.created_at) AS n FROM clue c) c
   JOIN department p ON p.region_code = c.region_code AND p.kind = 'PUBLIC_SECURITY'
   CROSS JOIN LATERAL (SELECT c.created_at + interval '3 days' AS at) r
   CROSS JOIN LATERAL (SELECT CASE n % 10 WHEN 0 THEN 'PENDING' WHEN 1 THEN 'RETURNED' WHEN 2 THEN 'RETURNED'
                                          WHEN 3 THEN 'FEEDBACK_GIVEN' ELSE 'ACCEPTED' END AS status) s
   WHERE c.n % 4 = 1`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'Clue', t.clue_id, t.requested_at, 'VERIFYING', 'TRANSFER_PENDING', 'REQUEST_TRANSFER' FROM clue_transfer t
   UNION ALL
   SELECT 'ClueTransfer', t.id, t.responded_at, 'PENDING', t.status,
     CASE t.status WHEN 'RETURNED' THEN 'RETURN' ELSE 'ACCEPT' END
   FROM clue_transfer t WHERE t.responded_at IS NOT NULL`,
  `INSERT INTO "case" (id, code, title, status, owner_department_id, region_code, filed_at, created_at, closed_at)
   SELECT md5('case' || c.id)::uuid, 'AJ-' || c.code, c.title, CASE WHEN closed THEN 'CLOSED' ELSE 'INVESTIGATING' END,
          c.owner_department_id, c.region_code, c.created_at + interval '10 days', c.created_at + interval '10 days',
          CASE WHEN closed THEN c.created_at + interval '90 days' END
   FROM clue c CROSS JOIN LATERAL (SELECT c.amount_involved::int % 2 = 0 AS closed) x WHERE c.status = 'CASE_OPENED'`,
  `INSERT INTO case_clue (case_id, clue_id) SELECT md5('case' || c.id)::uuid, c.id FROM clue c
    WHERE c.status = 'CASE_OPENED'`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'Case', k.id, k.filed_at, NULL, 'FILED', 'OPEN_CASE' FROM "case" k
   UNION ALL
   SELECT 'Case', k.id, k.closed_at, 'DECIDED', 'CLOSED', 'CLOSE' FROM "case" k WHERE k.closed_at IS NOT NULL`,
  `INSERT INTO sanction (case_id, kind, person_id, amount, decided_at)
   SELECT k.id,
     (ARRAY['FUND_RECOVERY','ADMINISTRATIVE_PENALTY','INTERVIEW','PARTY_DISCIPLINE'])[1 + (g + length(k.code)) % 4],
          cp.person_id, ((length(k.code) * 1009 + g * 17) % 100000) / 100.0, k.filed_at + interval '60 days'
   FROM "case" k JOIN case_clue kc ON kc.case_id = k.id JOIN clue_person cp ON cp.clue_id = kc.clue_id
   CROSS JOIN generate_series(0, 1) g`,
  `INSERT INTO supervision_item (kind, title, status, clue_id, assigned_to_department_id, creator_department_id,
    leader_id,
                                 deadline, created_at, completed_at, overdue_at)
   SELECT 'LISTED_SUPERVISION', '督办', s.status, c.id, c.owner_department_id, c.owner_department_id, (SELECT id
     FROM app_user LIMIT 1),
          c.created_at + interval '30 days', c.created_at + interval '1 day',
          CASE WHEN s.status = 'COMPLETED' THEN c.created_at + interval '20 days' END,
          CASE WHEN s.status = 'OVERDUE' THEN c.created_at + interval '30 days' END
   FROM (SELECT c.*, row_number() OVER (ORDER BY c.id) AS n FROM clue c) c
   CROSS JOIN LATERAL (SELECT CASE n % 3 WHEN 0 THEN 'COMPLETED' WHEN 1 THEN 'OVERDUE' ELSE 'OPEN' END AS status) s
   WHERE c.n % 50 = 0`,
  'ANALYZE',
];

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * xs.length) - 1)];
const ms = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  if (DB_NAME !== undefined && !/^[a-z0-9_]+$/.test(DB_NAME)) throw new Error(`bad --db ${DB_NAME}`);
  base.pathname = `/${DB_NAME ?? `bench_stats_${Date.now().toString(36)}`}`;
  const url = base.toString();
  if (DB_NAME && !REUSE) await dropDatabase(url);
  await runMigrations(url);
  const db = createDataSource(url, { applicationName: 'bench-stats' });
  await db.initialize();
  try {
    const [{ filled }] = await db.query('SELECT EXISTS (SELECT 1 FROM clue) AS filled');
    if (REUSE && !filled) throw new Error(`--reuse: database ${DB_NAME} holds no clues`);
    const fillStart = performance.now();
    for (const statement of REUSE ? [] : FILL) {
      const params = statement.includes('jsonb_to_recordset')
        ? [JSON.stringify(SEED_REGIONS)]
        : statement.includes('$1')
          ? [CLUES]
          : [];
      await db.query(statement, params);
    }
    const fillMs = performance.now() - fillStart;
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM clue)::int AS clues, (SELECT count(*) FROM clue_transfer)::int AS transfers,
              (SELECT count(*) FROM "case")::int AS cases, (SELECT count(*) FROM sanction)::int AS sanctions,
              (SELECT count(*) FROM state_change)::int AS "timelineRows", (SELECT count(*)
                FROM supervision_item)::int AS "supervisionItems"`,
    );
    // The roll-up: built once from everything (what the first reading after the migration does).
    let start = performance.now();
    await refreshRollup(db);
    const rollupBuildMs = performance.now() - start;
    const [rollup] = await db.query(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE day BETWEEN '2025-01-01' AND '2025-12-31')::int AS "rows2025"
       FROM stats_daily`,
    );

    const [user] = await db.query(
      `SELECT u.id, d.id AS department_id FROM app_user u JOIN department d ON d.id = u.department_id`,
    );
    const actor: Actor = {
      userId: user.id,
      username: 'bench',
      roles: ['LEADER'],
      department: { id: user.department_id, kind: 'DISCIPLINE', regionCode: '610000', regionLevel: 'PROVINCE' },
    };
    const time = async <T>(
      runs: number,
      work: () => Promise<T>,
    ): Promise<{ coldMs: number; p50Ms: number; p99Ms: number; runs: number; result: T }> => {
      let begin = performance.now();
      const result = await work();
      const coldMs = performance.now() - begin;
      const warm: number[] = [];
      for (let i = 0; i < runs; i++) {
        begin = performance.now();
        await work();
        warm.push(performance.now() - begin);
      }
      return { coldMs: ms(coldMs), p50Ms: ms(quantile(warm, 0.5)), p99Ms: ms(quantile(warm, 0.99)), runs, result };
    };
    const figures = ({ result: _result, ...timing }: { result: unknown }) => timing;

    const stats = (region: string, source: StatsSource) => () =>
      supervisionStats(db, actor, region, '2025-01-01', '2025-12-31', source);
    const province = await time(RUNS, stats('610000', 'rollup'));
    const city = await time(RUNS, stats('610300', 'rollup'));
    const county = await time(RUNS, stats('610302', 'rollup'));
    const provinceDirect = await time(DIRECT_RUNS, stats('610000', 'direct'));
    const countyDirect = await time(DIRECT_RUNS, stats('610302', 'direct'));
    const equal = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

    // A reading after writes: the WRITES most recent clues change owner (their timeline,
    // transfers, cases, … mark their days), then the province is read (the refresh of the
    // marked days included).
    start = performance.now();
    await db.query(
      `UPDATE clue SET owner_department_id = owner_department_id
       WHERE id IN (SELECT id FROM clue ORDER BY created_at DESC LIMIT $1)`,
      [WRITES],
    );
    const markMs = performance.now() - start;
    const [{ days: markedDays }] = await db.query('SELECT count(DISTINCT day)::int AS days FROM stats_dirty_day');
    start = performance.now();
    await stats('610000', 'rollup')();
    const afterWritesMs = performance.now() - start;

    const [clue] = await db.query(
      `SELECT c.id FROM clue c JOIN case_clue kc ON kc.clue_id = c.id JOIN clue_transfer t ON t.clue_id = c.id LIMIT 1`,
    );
    const [department] = await db.query(
      `SELECT id FROM department WHERE region_code = '610302' AND kind = 'MEDICAL_INSURANCE'`,
    );
    const graphFromClue = await time(GRAPH_RUNS, () =>
      caseGraph(db, actor, toGlobalId('Clue', clue.id), { depth: 4, limit: 1000 }),
    );
    const graphFromDepartment = await time(GRAPH_RUNS, () =>
      caseGraph(db, actor, toGlobalId('Department', department.id), { depth: 2, limit: 1000 }),
    );

    const p = province.result;
    process.stdout.write(
      `${JSON.stringify({
        benchmark: 'reading',
        data: counts,
        fillMs: REUSE ? null : Math.round(fillMs),
        database: DB_NAME ?? null,
        reused: REUSE,
        rollup: { buildMs: Math.round(rollupBuildMs), ...rollup },
        supervisionStats: {
          window: { from: '2025-01-01', to: '2025-12-31' },
          rollup: {
            province: { region: '610000', ...figures(province) },
            city: { region: '610300', ...figures(city) },
            county: { region: '610302', ...figures(county) },
          },
          direct: {
            province: { region: '610000', ...figures(provinceDirect) },
            county: { region: '610302', ...figures(countyDirect) },
          },
          rollupEqualsDirect: {
            province: equal(province.result, provinceDirect.result),
            county: equal(county.result, countyDirect.result),
          },
          afterWrites: {
            cluesUpdated: WRITES,
            updateMs: ms(markMs),
            daysMarked: markedDays,
            provinceReadMs: ms(afterWritesMs),
          },
          provinceFigures: {
            cluesReceived: p.cluesReceived,
            cluesRouted: p.cluesRouted,
            cluesTransferred: p.cluesTransferred,
            transfersReturned: p.transfersReturned,
            transfersOverdue: p.transfersOverdue,
            averageDaysToAccept: p.averageDaysToAccept,
            casesFiled: p.casesFiled,
            casesClosed: p.casesClosed,
            personsSanctioned: p.personsSanctioned,
            amountRecovered: p.amountRecovered,
            departments: p.byDepartment.length,
            months: p.byMonth.length,
          },
        },
        caseGraph: {
          fromClue: {
            depth: 4,
            limit: 1000,
            ...figures(graphFromClue),
            nodes: graphFromClue.result.nodes.length,
            truncated: graphFromClue.result.truncated,
          },
          fromDepartment: {
            depth: 2,
            limit: 1000,
            ...figures(graphFromDepartment),
            nodes: graphFromDepartment.result.nodes.length,
            truncated: graphFromDepartment.result.truncated,
          },
        },
      })}\n`,
    );
  } finally {
    await db.destroy();
    if (!KEEP) await dropDatabase(url);
  }
}

main().catch((error) => {
  process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
