/**
 * The statements of a roll-up reading of supervisionStats, one by one: the no-change refresh
 * check, the event figures, the persons sanctioned, the supervision items' changes and the
 * items whose deadline is still ahead, the overdue measures — p50 and max of --runs timed
 * runs each, optionally with the EXPLAIN (ANALYZE, BUFFERS) of one. On a database the stats
 * benchmark filled and kept (`--db NAME`); window 2025. Prints one JSON line (the plan before it).
 *
 *   npx tsc -b && node dist/bench/stats/profile.js --db stats_2m [--region 610000] [--runs 30]
 *     [--explain rollup|persons|items|ahead|measures]
 */
import { Client } from 'pg';
import { performance } from 'node:perf_hooks';
import { jurisdictionPrefix, levelOfCode } from '../../src/core/regions';
import { SqlParams } from '../../src/core/sql';
import {
  MEASURES_MACHINE_PARAMETERS,
  MEASURES_OVERDUE_SQL,
  ROLLUP_PERSONS_SQL,
  ROLLUP_SQL,
  ROLLUP_SUPERVISION_SQL,
  SUPERVISION_AHEAD_SQL,
  SUPERVISION_MACHINE_PARAMETERS,
  STALE_SQL,
} from '../../src/domain/stats/stats.repository';

const option = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

async function main(): Promise<void> {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/${option('db', 'stats_2m')}`;
  const region = option('region', '610000');
  const runs = Number(option('runs', '30'));
  const explain = option('explain', '');
  const prefix = jurisdictionPrefix(region, levelOfCode(region));
  const pattern = `${prefix}%`;
  const [from, to] = ['2025-01-01', '2025-12-31'];
  const [lo, hi] = [new Date('2025-01-01T00:00:00+08:00'), new Date('2026-01-01T00:00:00+08:00')];
  const client = new Client({ connectionString: base.toString() });
  await client.connect();
  try {
    await client.query('SET jit = off');
    const { rows: departments } = await client.query('SELECT id FROM department WHERE region_code LIKE $1', [pattern]);
    const scope = [pattern, lo, hi, departments.map((d: { id: string }) => d.id)];
    const statements: Record<string, [string, unknown[]]> = {
      stale: [STALE_SQL, []],
      rollup: [ROLLUP_SQL, [prefix, from, to]],
      persons: [ROLLUP_PERSONS_SQL, [prefix, from, to]],
      items: [ROLLUP_SUPERVISION_SQL, [prefix, from, to]],
      ahead: [SUPERVISION_AHEAD_SQL, new SqlParams([...scope, ...SUPERVISION_MACHINE_PARAMETERS]).values],
      measures: [MEASURES_OVERDUE_SQL, new SqlParams([...scope, ...MEASURES_MACHINE_PARAMETERS]).values],
    };
    const figures: Record<string, { p50Ms: number; maxMs: number; rows: number }> = {};
    for (const [name, [sql, params]] of Object.entries(statements)) {
      if (explain === name) {
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
        process.stdout.write(`${rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`);
      }
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        count = (await client.query(sql, params)).rowCount ?? 0;
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      const round = (x: number) => Math.round(x * 10) / 10;
      figures[name] = { p50Ms: round(times[Math.floor(times.length / 2)]), maxMs: round(times[times.length - 1]), rows: count };
    }
    process.stdout.write(`${JSON.stringify({ benchmark: 'stats-profile', region, prefix, runs, figures })}\n`);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
