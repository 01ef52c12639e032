/**
 * Load: simulated users over two API processes, with autocannon. Each connection is a user
 * working through a cycle — the clue list (with owner and institution), a clue's detail, a
 * transition of one of their department's open clues with the version they read (several
 * users of a department race for the same few clues: version conflicts), the case list, the
 * case graph of a clue, the statistics of their region, the list's next page and another
 * detail — at `--rate` requests per second each (think time), for `--duration` seconds.
 *
 * Prints one JSON line: p50/p99 per operation (ms, as the client saw them), the answers per
 * status and per error code, the 5xx count (HTTP 5xx and INTERNAL_SERVER_ERROR), and the
 * lost-update check: every transition the API acknowledged is in the clue's timeline, no two
 * acknowledged transitions of a clue started from the same version, and each clue's version
 * rose by exactly its acknowledged transitions.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/load/run.js [--users 200] [--duration 120] [--rate 1] [--processes 2] [--lockstep]
 *
 * The users start spread evenly over one cycle (9 requests at `--rate`: 9 s), so that their
 * requests arrive spread over each second and at different operations of the cycle; colleagues
 * (user u works for department u mod D) start together, so that they race for their
 * department's clues. The run lasts `--duration` plus that spread. `--lockstep` starts them all at once, as
 * earlier versions did: every user then sends within the same ~200 ms of each second, the same
 * operation (50 lists at once, then 50 details, …, 50 statistics) — a burst test, not a mix.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_api) must hold a demo
 * database (see bench/api/run.ts). Before the run, `--clues` (default 100) open clues
 * (PETITION, ASSIGNED) are inserted for each department of the simulated users, so that the
 * transitions have clues to work on; they are titled 'load <run>' and deleted after the run
 * (with their timeline) unless --keep. BENCH_SERVE names another build's dist/src/cli/serve.js
 * (e.g. of an earlier commit, extracted with git archive and built) to load it instead of this
 * one, as in bench/api/run.ts.
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { AutocannonResult, ChildServer, login, startChild } from '../api/http';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const USERS = arg('users', 200);
const DURATION = arg('duration', 120);
const RATE = arg('rate', 1);
const PROCESSES = arg('processes', 2);
const CLUES_PER_DEPARTMENT = arg('clues', 100);
const LOCKSTEP = process.argv.includes('--lockstep');
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/bench_api';
const PASSWORD = process.env.SEED_PASSWORD || 'demo-password-2025';
const DIST = join(__dirname, '..', '..');
const PORT = 4721;
const STATS_WINDOW = { from: '2025-01-01', to: '2025-12-31' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: object) => AutocannonInstance;
interface AutocannonInstance extends Promise<AutocannonResult> {
  on(event: 'response', listener: (client: LoadClient, status: number, bytes: number, ms: number) => void): void;
}
interface LoadClient {
  requestIterator: { context: Context };
}

/** A simulated user's department: its investigator works the clues, its leader reads the statistics. */
interface Department {
  id: string;
  regionCode: string;
  investigator: string;
  leader: string;
}

interface Context {
  department?: Department;
  /** The user keeps `department` (staggered arrivals). */
  fixedDepartment?: boolean;
  op?: string;
  clueIds?: string[];
  endCursor?: string | null;
  detail?: { id: string; status: string; version: number; allowedEvents: string[] } | null;
  transition?: { clueId: string; expectedVersion: number; event: string };
}

const LIST = `query ($after: String) { clues(first: 20, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id code title status amountInvolved createdAt owner { id name } institution { code name } } } } }`;
const DETAIL = `query ($id: ID!) { clue(id: $id) { id code title description status version amountInvolved allowedEvents
  owner { id name } institution { code name } persons { id name } copiedTo { id name }
  transfers { id status } case { id } timeline { at event from to actor { id displayName } } } }`;
const OPEN_CLUES = `query ($owner: ID!) { clues(first: 5, filter: { source: PETITION, ownerDepartmentId: $owner,
  status: [ASSIGNED, VERIFYING, UNSUBSTANTIATED] }) { edges { node { id status version allowedEvents } } } }`;
const CASES = `{ cases(first: 20) { totalCount edges { node { id code title status } } } }`;
const GRAPH = `query ($id: ID!) { caseGraph(rootId: $id, depth: 2, limit: 100) { truncated nodes { id label depth } edges { from to kind } } }`;
const STATS = `query ($region: String!, $from: Date!, $to: Date!) { supervisionStats(regionCode: $region, from: $from, to: $to) {
  cluesReceived cluesRouted casesFiled casesClosed amountRecovered clueToCaseRate byMonth { month cluesReceived } } }`;
const TRANSITIONS: Record<string, { event: string; query: string }> = {
  ASSIGNED: {
    event: 'START_VERIFICATION',
    query: 'mutation ($id: ID!, $v: Int) { startVerification(clueId: $id, expectedVersion: $v) { id version status } }',
  },
  VERIFYING: {
    event: 'CONCLUDE_UNSUBSTANTIATED',
    query: `mutation ($id: ID!, $v: Int) { concludeVerification(clueId: $id, expectedVersion: $v, substantiated: false,
      findings: "load: not substantiated") { id version status } }`,
  },
  UNSUBSTANTIATED: {
    event: 'CLOSE',
    query:
      'mutation ($id: ID!, $v: Int) { closeClue(clueId: $id, expectedVersion: $v, disposition: "load: closed") { id version status } }',
  },
};

interface Ack {
  clueId: string;
  expectedVersion: number;
  event: string;
}

async function main(): Promise<void> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const runTag = `load ${new Date().toISOString()}`;
  const departments: Department[] = (
    await db.query(
      `SELECT d.id, d.region_code AS "regionCode", i.username AS investigator, l.username AS leader
       FROM department d
       JOIN app_user i ON i.department_id = d.id AND i.roles = '{INVESTIGATOR}' AND i.active
       JOIN app_user l ON l.department_id = d.id AND l.roles = '{LEADER}' AND l.active
       WHERE d.kind IN ('MEDICAL_INSURANCE', 'HEALTH') ORDER BY d.region_code, d.kind`,
    )
  ).rows;
  if (!departments.length) throw new Error('no departments with an investigator and a leader: load the demo first');
  await db.query(
    `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id, routed_at)
     SELECT 'LD' || to_char(now(), 'YYMMDDHH24MISS') || '-' || d.n || '-' || i, $1, 'PETITION', 'ASSIGNED',
            d.region_code, (i * 137 % 10000) / 100.0, d.id, now()
     FROM (SELECT id, region_code, row_number() OVER (ORDER BY id) AS n FROM department WHERE id = ANY($2::uuid[])) d,
          generate_series(1, $3::int) i`,
    [runTag, departments.map((d) => d.id), CLUES_PER_DEPARTMENT],
  );

  const servers: ChildServer[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    servers.push(
      await startChild(
        `api-${i}`,
        [process.env.BENCH_SERVE || join(DIST, 'src', 'cli', 'serve.js')],
        {
          ...process.env,
          DATABASE_URL,
          PORT: String(PORT + i),
          QUEUE_PREFIX: 'bench-load',
          LOG_LEVEL: process.env.LOG_LEVEL || 'info',
        },
        `http://127.0.0.1:${PORT + i}/healthz`,
        `/tmp/bench-load-api-${i}.log`,
      ),
    );
  }
  try {
    const tokens = new Map<string, string>();
    const usernames = departments.flatMap((d) => [d.investigator, d.leader]);
    for (let i = 0; i < usernames.length; i += 8) {
      await Promise.all(
        usernames.slice(i, i + 8).map(async (username) => {
          tokens.set(username, await login(`http://127.0.0.1:${PORT}/graphql`, username, PASSWORD));
        }),
      );
    }

    const latencies = new Map<string, number[]>();
    const statuses: Record<string, number> = {};
    const errorCodes: Record<string, Record<string, number>> = {};
    const acks: Ack[] = [];
    /** Transitions sent, by clue; those never answered (timeouts) have an unknown outcome. */
    const sent = new Map<string, number>();
    let userCounter = 0;

    const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
    const as = (username: string) => ({
      'content-type': 'application/json',
      authorization: `Bearer ${tokens.get(username)}`,
    });
    const parse = (op: string, status: number, text: string, context: Context): Record<string, any> | null => {
      context.op = op;
      statuses[status] = (statuses[status] ?? 0) + 1;
      let answer: { data?: Record<string, any>; errors?: { extensions?: { code?: string } }[] };
      try {
        answer = JSON.parse(text);
      } catch {
        (errorCodes[op] ??= {})[`HTTP_${status}`] = (errorCodes[op][`HTTP_${status}`] ?? 0) + 1;
        return null;
      }
      for (const error of answer.errors ?? []) {
        const code = error.extensions?.code ?? 'NO_CODE';
        (errorCodes[op] ??= {})[code] = (errorCodes[op][code] ?? 0) + 1;
      }
      return answer.data ?? null;
    };
    const pick = <T>(values: T[] | undefined): T | undefined =>
      values?.length ? values[Math.floor(Math.random() * values.length)] : undefined;

    const requests = [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => {
          // Staggered users keep the department they were given (initialContext); lockstep ones
          // take the next department at each cycle, as before.
          if (!context.fixedDepartment) context.department = departments[userCounter++ % departments.length];
          return { ...req, headers: as(context.department!.investigator), body: body(LIST) };
        },
        onResponse: (status: number, text: string, context: Context) => {
          const data = parse('clues list', status, text, context);
          context.clueIds = data?.clues?.edges.map((e: { node: { id: string } }) => e.node.id);
          context.endCursor = data?.clues?.pageInfo.endCursor;
        },
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => {
          const id = pick(context.clueIds);
          return id ? { ...req, headers: as(context.department!.investigator), body: body(DETAIL, { id }) } : null;
        },
        onResponse: (status: number, text: string, context: Context) =>
          void parse('clue detail', status, text, context),
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => ({
          ...req,
          headers: as(context.department!.investigator),
          body: body(OPEN_CLUES, { owner: Buffer.from(`Department:${context.department!.id}`).toString('base64url') }),
        }),
        onResponse: (status: number, text: string, context: Context) => {
          const data = parse('open clues list', status, text, context);
          const node = pick(data?.clues?.edges as { node: NonNullable<Context['detail']> }[] | undefined)?.node;
          context.detail = node ?? null;
        },
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => {
          const detail = context.detail;
          const transition = detail && TRANSITIONS[detail.status];
          if (!detail || !transition) return null;
          context.transition = { clueId: detail.id, expectedVersion: detail.version, event: transition.event };
          sent.set(detail.id, (sent.get(detail.id) ?? 0) + 1);
          return {
            ...req,
            headers: as(context.department!.investigator),
            body: body(transition.query, { id: detail.id, v: detail.version }),
          };
        },
        onResponse: (status: number, text: string, context: Context) => {
          const data = parse('transition', status, text, context);
          if (context.transition) {
            sent.set(context.transition.clueId, (sent.get(context.transition.clueId) ?? 0) - 1);
            if (data && Object.values(data)[0]) acks.push(context.transition);
          }
        },
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => ({
          ...req,
          headers: as(context.department!.leader),
          body: body(CASES),
        }),
        onResponse: (status: number, text: string, context: Context) => void parse('cases list', status, text, context),
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => {
          const id = pick(context.clueIds);
          return id ? { ...req, headers: as(context.department!.investigator), body: body(GRAPH, { id }) } : null;
        },
        onResponse: (status: number, text: string, context: Context) => void parse('case graph', status, text, context),
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => ({
          ...req,
          headers: as(context.department!.leader),
          body: body(STATS, { region: context.department!.regionCode, ...STATS_WINDOW }),
        }),
        onResponse: (status: number, text: string, context: Context) => void parse('statistics', status, text, context),
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => ({
          ...req,
          headers: as(context.department!.investigator),
          body: body(LIST, { after: context.endCursor ?? null }),
        }),
        onResponse: (status: number, text: string, context: Context) => void parse('clues list', status, text, context),
      },
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: Record<string, unknown>, context: Context) => {
          const id = pick(context.clueIds);
          return id ? { ...req, headers: as(context.department!.investigator), body: body(DETAIL, { id }) } : null;
        },
        onResponse: (status: number, text: string, context: Context) =>
          void parse('clue detail', status, text, context),
      },
    ];

    const perProcess = Math.ceil(USERS / PROCESSES);
    const processLatencies: number[][] = servers.map(() => []);
    const load = (server: number, connections: number, department?: Department) => {
      const instance = autocannon({
        url: `http://127.0.0.1:${PORT + server}`,
        connections,
        duration: DURATION,
        connectionRate: RATE,
        timeout: 30,
        requests,
        ...(department && { initialContext: { department, fixedDepartment: true } }),
      });
      instance.on('response', (client, _status, _bytes, ms) => {
        const op = client.requestIterator.context.op ?? 'unknown';
        let values = latencies.get(op);
        if (!values) latencies.set(op, (values = []));
        values.push(ms);
        processLatencies[server].push(ms);
      });
      return instance;
    };
    // Lockstep: one autocannon per process, its connections started together — every user sends
    // at the same instant of each second, the same operation of the cycle. Staggered (default):
    // one autocannon per user, the users' starts spread evenly over one cycle, so that arrivals
    // spread over the second and the users are at different operations of the cycle.
    //
    // Colleagues start together: the users of one department (user u works for department
    // u mod D) share a start, the departments' starts are spread over the cycle — so that those
    // who work the same few clues race for them (version conflicts), as they would.
    const cycleMs = (requests.length * 1000) / RATE;
    const users = perProcess * PROCESSES;
    const groups = Math.min(users, departments.length);
    const runs = LOCKSTEP
      ? servers.map((_, i) => load(i, perProcess))
      : Array.from({ length: users }, async (_, user) => {
          await new Promise((resolve) => setTimeout(resolve, Math.round(((user % groups) * cycleMs) / groups)));
          return load(user % PROCESSES, 1, departments[user % departments.length]);
        });
    const results = await Promise.all(runs);

    // Lost updates: compare what the API acknowledged with what the database holds.
    const clues = (
      await db.query(
        `SELECT c.id, c.version,
                (SELECT count(*)::int FROM state_change s WHERE s.entity_type = 'Clue' AND s.entity_id = c.id
                   AND s.event IN ('START_VERIFICATION', 'CONCLUDE_UNSUBSTANTIATED', 'CLOSE')) AS changes
         FROM clue c WHERE c.title = $1`,
        [runTag],
      )
    ).rows as { id: string; version: number; changes: number }[];
    const rowId = (globalId: string) =>
      Buffer.from(globalId, 'base64url')
        .toString('utf8')
        .replace(/^Clue:/, '');
    const ackedByClue = new Map<string, Ack[]>();
    for (const ack of acks) {
      const id = rowId(ack.clueId);
      const list = ackedByClue.get(id) ?? [];
      list.push(ack);
      ackedByClue.set(id, list);
    }
    const unanswered = new Map([...sent].filter(([, n]) => n > 0).map(([id, n]) => [rowId(id), n]));
    // Lost: an acknowledged change missing from the row (its version rose by fewer than the
    // acknowledgements) or from the timeline, or two acknowledged changes from the same version.
    // A request that timed out may or may not have changed the row: it widens the allowance.
    let versionMismatches = 0;
    let timelineMismatches = 0;
    let sameVersionTwice = 0;
    for (const clue of clues) {
      const acked = (ackedByClue.get(clue.id) ?? []).length;
      const unknown = unanswered.get(clue.id) ?? 0;
      const changed = clue.version - 1;
      if (changed < acked || changed > acked + unknown) versionMismatches++;
      if (clue.changes !== changed) timelineMismatches++;
      const versions = (ackedByClue.get(clue.id) ?? []).map((a) => a.expectedVersion);
      if (new Set(versions).size !== versions.length) sameVersionTwice++;
    }
    const unknownAcks = [...ackedByClue.keys()].filter((id) => !clues.some((c) => c.id === id)).length;

    const percentile = (sorted: number[], p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    const operations = Object.fromEntries(
      [...latencies.entries()].map(([op, values]) => {
        const sorted = values.sort((a, b) => a - b);
        return [
          op,
          {
            count: sorted.length,
            p50: Math.round(percentile(sorted, 50)),
            p99: Math.round(percentile(sorted, 99)),
            errors: errorCodes[op] ?? {},
          },
        ];
      }),
    );
    const fiveHundreds =
      Object.entries(statuses).reduce((sum, [status, n]) => sum + (Number(status) >= 500 ? n : 0), 0) +
      Object.values(errorCodes).reduce((sum, codes) => sum + (codes.INTERNAL_SERVER_ERROR ?? 0), 0);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'load',
        users: perProcess * PROCESSES,
        processes: PROCESSES,
        durationSeconds: DURATION,
        ratePerUser: RATE,
        requests: results.reduce((sum, r) => sum + r.requests.total, 0),
        rps: Math.round(results.reduce((sum, r) => sum + r.requests.average, 0) * 10) / 10,
        arrivals: LOCKSTEP ? 'lockstep' : 'staggered',
        overall: servers.map((_, i) => {
          const sorted = processLatencies[i].sort((a, b) => a - b);
          const mine = results.filter((_r, k) => (LOCKSTEP ? k === i : k % PROCESSES === i));
          return {
            p50: Math.round(percentile(sorted, 50)),
            p99: Math.round(percentile(sorted, 99)),
            errors: mine.reduce((sum, r) => sum + r.errors, 0),
            timeouts: mine.reduce((sum, r) => sum + r.timeouts, 0),
          };
        }),
        statuses,
        fiveHundreds,
        operations,
        transitions: {
          acknowledged: acks.length,
          conflicts: errorCodes.transition?.VERSION_CONFLICT ?? 0,
          unanswered: [...unanswered.values()].reduce((a, b) => a + b, 0),
        },
        lostUpdates: {
          clues: clues.length,
          versionMismatches,
          timelineMismatches,
          sameVersionTwice,
          unknownAcks,
          lost: versionMismatches + timelineMismatches + sameVersionTwice + unknownAcks,
        },
      })}\n`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    // The run's clues go again (unless --keep), so that bench/api keeps reading the demo's.
    if (!process.argv.includes('--keep')) {
      await db.query(
        `DELETE FROM state_change WHERE entity_type = 'Clue' AND entity_id IN (SELECT id FROM clue WHERE title = $1)`,
        [runTag],
      );
      await db.query('DELETE FROM clue WHERE title = $1', [runTag]);
      // Their dead rows go too: where autovacuum is off (as on the shared test machine) every run
      // left thousands in clue and its indexes, and the next bench read through them.
      await db.query('VACUUM ANALYZE clue, state_change');
    }
    await db.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
