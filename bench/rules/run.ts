/**
 * Rule library benchmark (RULES.md "Speed"): a synthetic batch is loaded once, then the seven
 * rule classes run over 2025-03 with a library of 100 rules and with one of 15,000 rules (the
 * extra rules over item codes that exist, a realistic mix of classes, scopes and validity), and
 * each pass is compared with the same checks as bare SQL (each class's SELECT alone, counted,
 * without the runner's upsert into collision_hit). Both libraries cover the same (class, item)
 * pairs, so the comparison isolates the number of rules (RULES.md: "15,000 rules cost about
 * what 100 do"), not the cost of checking more items.
 *
 *   npm run bench:rules -- [--scale 50] [--folder /tmp/synth-rules-50] [--rounds 3]
 *       [--db-url base] [--reuse-db NAME] [--prepare-only] [--drop]
 *
 * `--prepare-only` generates and loads the batch into bench_rules_<scale> and stops (then
 * `--reuse-db bench_rules_<scale>` runs the libraries against it). Prints one JSON object: per
 * library size, per class, the pass (runModel: one set-based upsert per class) and the bare
 * SELECT in ms (medians of `--rounds` rounds after one warm-up), the hits, and the ratios the
 * spec sets goals for (15,000 ≤ 1.5 × 100; pass ≤ 1.5 × bare).
 */
import { existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createServices } from '../../src/app';
import { RULE_MODEL_CODES, getModel } from '../../src/collision/registry';
import { collisionSql } from '../../src/collision/run-model';
import { loadConfig } from '../../src/config';
import { SqlParams } from '../../src/core/sql';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { generateSyntheticBatch } from '../../src/synth/generator';
import { CATALOG_ITEMS, CITIES, PROVINCE } from '../../src/synth/reference-data';
import { HitSqlContext } from '../../src/collision/model';

const WINDOW = { from: '2025-03-01', to: '2025-03-31' };
const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const round = (x: number) => Math.round(x * 10) / 10;
const log = (message: string) => process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);

function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The n-th rule of the bench library: classes in turn, items in turn, scopes 10 % province,
 * 30 % city, 60 % county, a third retired before the window. Most rules are complied with (as
 * in a real library, where a rule catches the exception), so hits stay a small share.
 */
const SMALL_LIBRARY = 100;

function benchRule(n: number): Record<string, string | null> {
  const classes = ['SEX', 'AGE', 'VISIT_TYPE', 'LEVEL', 'DIAGNOSIS', 'EXCLUSIVE', 'FREQUENCY'];
  const ruleClass = classes[n % classes.length];
  // Both libraries cover the same (class, item) pairs: the first hundred rules give class c the
  // items 0 … ⌈(100 − c) / 7⌉ − 1 of the catalog, and rules 100 … 14,999 cycle over exactly those
  // (more rules per item: other scopes, validity, bounds). The lines checked are the same in both
  // runs, so the ratio isolates the cost of the number of rules (RULES.md: "15,000 rules cost
  // about what 100 do"), not the cost of checking more items.
  const smallItems = Math.ceil((SMALL_LIBRARY - (n % classes.length)) / classes.length);
  const itemIndex = Math.floor(n / classes.length) % smallItems;
  const item = CATALOG_ITEMS[itemIndex % CATALOG_ITEMS.length];
  const counties = CITIES.flatMap((c) => c.counties.map(([code]) => code));
  const scope = n % 10;
  const region =
    scope === 0
      ? PROVINCE.code
      : scope <= 3
        ? CITIES[n % CITIES.length].code
        : counties[Math.floor(n / 10) % counties.length];
  const retired = n % 3 === 0;
  // One rule in twenty of the first hundred catches something; the rest of the library is complied
  // with, so both libraries find the same hits and the difference is the cost of the rules.
  const firing = n < SMALL_LIBRARY && n % 20 === 1;
  const other = CATALOG_ITEMS[(itemIndex + 17) % CATALOG_ITEMS.length].code;
  const rule: Record<string, string | null> = {
    rule_id: `B-${String(n).padStart(5, '0')}`,
    rule_class: ruleClass,
    item_code: item.code,
    region_code: region,
    effective_from: retired ? '2020-01-01' : '2024-01-01',
    effective_to: retired ? '2024-12-31' : null,
    gender: null,
    min_age: null,
    max_age: null,
    visit_types: null,
    min_level: null,
    diagnosis_prefixes: null,
    other_item_code: null,
    max_units: null,
    period: null,
    description: `基准规则 ${n}`,
  };
  if (ruleClass === 'SEX') {
    rule.gender = n % 2 ? 'F' : 'M';
    if (!firing) rule.effective_to = '2024-06-30';
  } else if (ruleClass === 'AGE') {
    rule.min_age = firing ? '80' : '0';
    rule.max_age = '150';
  } else if (ruleClass === 'VISIT_TYPE') {
    rule.visit_types = firing ? item.usedIn[0] : 'OUTPATIENT;INPATIENT;PHARMACY';
  } else if (ruleClass === 'LEVEL') {
    rule.min_level = firing ? 'TERTIARY' : 'PRIMARY';
    if (!firing) rule.effective_to = '2024-06-30';
  } else if (ruleClass === 'DIAGNOSIS') {
    rule.diagnosis_prefixes = firing ? 'I;E' : 'A;B;C;D;E;G;H;I;J;K;M;N;O;S';
    if (!firing) rule.effective_to = '2024-06-30';
  } else if (ruleClass === 'EXCLUSIVE') {
    rule.other_item_code = other === item.code ? CATALOG_ITEMS[0].code : other;
    if (!firing) rule.effective_to = '2024-06-30';
  } else {
    rule.period = ['DAY', 'SETTLEMENT', 'YEAR'][n % 3];
    rule.max_units = firing ? '4' : '500';
  }
  return rule;
}

const COLUMNS = Object.keys(benchRule(0));

async function loadLibrary(client: Client, size: number): Promise<void> {
  await client.query('TRUNCATE collision_hit, collision_run_rule, collision_run_job, collision_run CASCADE');
  await client.query('DELETE FROM rule');
  const rules = Array.from({ length: size }, (_, n) => benchRule(n));
  await client.query(
    `INSERT INTO rule (${COLUMNS.join(', ')})
     SELECT rule_id, rule_class, item_code, region_code, effective_from::date, effective_to::date, gender,
            min_age::int, max_age::int, string_to_array(visit_types, ';'), min_level,
            string_to_array(diagnosis_prefixes, ';'), other_item_code, max_units::numeric, period, description
     FROM json_to_recordset($1::json) AS x(${COLUMNS.map((c) => `${c} text`).join(', ')})`,
    [JSON.stringify(rules)],
  );
  await client.query('ANALYZE rule');
}

interface ClassTimes {
  passMs: number;
  bareMs: number;
  hits: number;
}

/** One run's statements per class: the pass (upsert) and the bare SELECT, each timed alone. */
async function runClasses(client: Client): Promise<Record<string, ClassTimes>> {
  const [run] = (
    await client.query(
      `INSERT INTO collision_run (models, from_date, to_date, status) VALUES ($1, $2, $3, 'RUNNING') RETURNING id`,
      [RULE_MODEL_CODES, WINDOW.from, WINDOW.to],
    )
  ).rows;
  await client.query(
    `INSERT INTO collision_run_rule (run_id, rule_row_id, rule_class) SELECT $1, id, rule_class FROM rule WHERE current`,
    [run.id],
  );
  await client.query('ANALYZE collision_run_rule');
  const result: Record<string, ClassTimes> = {};
  for (const code of RULE_MODEL_CODES) {
    // Bare: the class's SELECT with the same values, counted.
    const params = new SqlParams();
    const ctx: HitSqlContext = {
      get runId() {
        return params.named('runId', 'uuid', () => run.id);
      },
      get windowTo() {
        return params.named('windowTo', 'date', () => WINDOW.to);
      },
      get anchorFrom() {
        return params.named('anchorFrom', 'date', () => WINDOW.from);
      },
      get anchorTo() {
        return params.named('anchorTo', 'date', () => WINDOW.to);
      },
      get regionPrefix() {
        return params.named('regionPrefix', 'text', () => '');
      },
      param: () => {
        throw new Error('rule classes have no parameters');
      },
    };
    let started = performance.now();
    await client.query(`SELECT count(*) FROM (${getModel(code).sql(ctx)}) h`, params.values);
    const bareMs = performance.now() - started;
    const { text, values } = collisionSql(code, { runId: run.id, ...WINDOW, params: {} });
    started = performance.now();
    const { rows } = await client.query(text, values);
    const passMs = performance.now() - started;
    result[code] = { passMs: round(passMs), bareMs: round(bareMs), hits: rows[0].inserted + rows[0].updated };
    log(`${code}: ${JSON.stringify(result[code])}`);
  }
  return result;
}

async function main(): Promise<void> {
  const scale = Number(option('scale') ?? 50);
  const folder = resolve(option('folder') ?? `/tmp/synth-rules-${scale}`);
  const base = option('db-url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const reuse = option('reuse-db');
  const url = databaseUrl(base, reuse ?? `bench_rules_${String(scale).replace('.', '_')}`);
  if (!reuse) {
    if (!existsSync(join(folder, 'rules.csv'))) {
      log(`generating scale ${scale} into ${folder}`);
      await generateSyntheticBatch({ outDir: folder, scale, seed: 1, ...WINDOW, withExpectedHits: false });
    }
    await dropDatabase(url);
    await runMigrations(url);
    const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: url }), {
      applicationName: 'bench-rules',
    });
    try {
      log(`ingesting ${folder}`);
      const summary = await ingestBatch(services, folder);
      if (!summary.ok) throw new Error(`ingest failed: ${JSON.stringify(summary.files)}`);
    } finally {
      await services.close();
    }
    if (process.argv.includes('--prepare-only')) return;
  }
  const client = new Client({ connectionString: url, options: '-c timezone=Asia/Shanghai' });
  await client.connect();
  try {
    await client.query('VACUUM ANALYZE');
    await client.query('SET jit = off');
    await client.query(`SET work_mem = '128MB'`);
    const [counts] = (
      await client.query(
        `SELECT (SELECT count(*) FROM settlement)::int AS settlements, (SELECT count(*) FROM settlement_item)::int AS items`,
      )
    ).rows;
    const rounds = Number(option('rounds') ?? 3);
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return round(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
    };
    const sizes: Record<
      string,
      {
        rules: number;
        classItemPairs: number;
        perClass: Record<string, ClassTimes>;
        passMs: number;
        bareMs: number;
        hits: number;
        roundsPassMs: number[];
      }
    > = {};
    // Rounds alternate the libraries (100, 15,000, 100, …) so a change of load on the shared machine
    // hits both alike; round 0 is a warm-up (caches), not counted.
    const libraries = [SMALL_LIBRARY, 15_000];
    const measured: Record<number, Record<string, ClassTimes>[]> = { [SMALL_LIBRARY]: [], 15000: [] };
    const pairsOf: Record<number, number> = {};
    for (let r = 0; r <= rounds; r++) {
      for (const size of libraries) {
        log(`round ${r}${r === 0 ? ' (warm-up)' : ''}: library of ${size} rules`);
        await loadLibrary(client, size);
        if (r === 0) {
          pairsOf[size] = (
            await client.query(`SELECT count(DISTINCT (rule_class, item_code))::int AS pairs FROM rule WHERE current`)
          ).rows[0].pairs;
        }
        const times = await runClasses(client);
        if (r > 0) measured[size].push(times);
      }
    }
    const total = (m: Record<string, ClassTimes>, f: (t: ClassTimes) => number) =>
      round(Object.values(m).reduce((a, t) => a + f(t), 0));
    for (const size of libraries) {
      // Per class the median of the rounds; totals: the median of the rounds' sums.
      const perClass: Record<string, ClassTimes> = {};
      for (const code of RULE_MODEL_CODES) {
        perClass[code] = {
          passMs: median(measured[size].map((m) => m[code].passMs)),
          bareMs: median(measured[size].map((m) => m[code].bareMs)),
          hits: measured[size][0][code].hits,
        };
      }
      sizes[size] = {
        rules: size,
        classItemPairs: pairsOf[size],
        perClass,
        passMs: median(measured[size].map((m) => total(m, (t) => t.passMs))),
        bareMs: median(measured[size].map((m) => total(m, (t) => t.bareMs))),
        hits: total(perClass, (t) => t.hits),
        roundsPassMs: measured[size].map((m) => total(m, (t) => t.passMs)),
      };
    }
    // The ratio of each round's pair (15,000 after 100 in the same round), then their median.
    const pairedRatios = measured[15_000].map(
      (m, i) =>
        Math.round((total(m, (t) => t.passMs) / total(measured[SMALL_LIBRARY][i], (t) => t.passMs)) * 100) / 100,
    );
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    process.stdout.write(
      `${JSON.stringify(
        {
          scale,
          window: WINDOW,
          rounds,
          design:
            'both libraries cover the same (rule class, item code) pairs; the 14,900 extra rules differ in ' +
            'jurisdiction, validity and bounds (RULES.md Speed: the cost of the number of rules, not of more items); ' +
            'rounds alternate the libraries; times are medians over the rounds',
          settlements: counts.settlements,
          items: counts.items,
          libraries: sizes,
          ratios: {
            rules15000Over100: ratio(sizes[15_000].passMs, sizes[100].passMs),
            rules15000Over100PerRound: pairedRatios,
            rules15000Over100PairedMedian: median(pairedRatios.map((x) => x * 100)) / 100,
            passOverBare100: ratio(sizes[100].passMs, sizes[100].bareMs),
            passOverBare15000: ratio(sizes[15_000].passMs, sizes[15_000].bareMs),
          },
          goals: { rules15000Over100: 1.5, passOverBare: 1.5 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await client.end();
    if (process.argv.includes('--drop')) await dropDatabase(url);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
