/**
 * What must hold after the fault campaign, checked in SQL against the database and against the
 * synthetic generator's oracle (never against the product's own statements): runs finished with
 * the oracle's hits, nothing lost or duplicated (hits, clues, jobs, notifications, outbox, audit),
 * every mutation a client saw succeed stored, every one it saw fail absent, the audit chain whole,
 * the loaded batch unchanged by killed re-loads.
 */
import { DataSource } from 'typeorm';
import { verifyAuditChain } from '../../src/domain/audit/audit.service';
import { ExpectedHits } from '../../src/synth/oracle';
import { LedgerEntry, MUTATIONS } from './workload';

export interface Check {
  name: string;
  ok: boolean;
  detail: unknown;
}

export const FACT_TABLES = ['institution', 'person', 'settlement', 'settlement_item', 'drug_purchase'] as const;

export async function factCounts(db: DataSource): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of FACT_TABLES) {
    out[table] = Number((await db.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  }
  return out;
}

/** Was the ledger entry's change stored? One statement per operation kind. */
async function stored(db: DataSource, e: LedgerEntry, userId: string): Promise<boolean> {
  const q = async (sql: string, params: unknown[]) => (await db.query(sql, params))[0].stored as boolean;
  const event = (entityType: string, name: string) =>
    q(
      `SELECT EXISTS (SELECT 1 FROM state_change WHERE entity_type = $3 AND entity_id::text = $1
         AND event = $4 AND actor_id = $2) AS stored`,
      [e.entityId, userId, entityType, name],
    );
  switch (e.op) {
    case 'startVerification':
      return q(
        `SELECT EXISTS (SELECT 1 FROM state_change WHERE entity_type = 'Clue' AND entity_id::text = $1
           AND event = 'START_VERIFICATION' AND actor_id = $2) AS stored`,
        [e.entityId, userId],
      );
    case 'verifyHits':
      return q(
        `SELECT EXISTS (SELECT 1 FROM state_change WHERE entity_type = 'CollisionHit' AND entity_id::text = ANY($1::text[])
           AND event = 'CONFIRM' AND actor_id = $2) AS stored`,
        [e.hitIds, userId],
      );
    case 'requestTransfer':
      return q(
        `SELECT EXISTS (SELECT 1 FROM clue_transfer WHERE clue_id::text = $1 AND to_department_id::text = $2
           AND requested_by = $3) AS stored`,
        [e.entityId, e.toDepartmentId, userId],
      );
    case 'acceptTransfer':
      return event('ClueTransfer', 'ACCEPT');
    case 'concludeVerification':
      return event('Clue', 'CONCLUDE_SUBSTANTIATED');
    case 'submitMeasure':
      return event('RectificationMeasure', 'SUBMIT');
    case 'acceptMeasure':
      return event('RectificationMeasure', 'ACCEPT');
    case 'closeProblem':
      return event('Problem', 'CLOSE');
    case 'registerClue':
      return q(
        `SELECT EXISTS (SELECT 1 FROM clue c JOIN state_change s ON s.entity_type = 'Clue' AND s.entity_id = c.id
           AND s.event = 'REGISTER' AND s.actor_id = $2 WHERE c.title = $1) AS stored`,
        [e.entityId, userId],
      );
    case 'createProblem':
      return q(
        `SELECT EXISTS (SELECT 1 FROM problem p JOIN state_change s ON s.entity_type = 'Problem' AND s.entity_id = p.id
           AND s.event = 'CREATE' AND s.actor_id = $2 WHERE p.description = $1) AS stored`,
        [e.entityId, userId],
      );
    case 'createCampaign':
      return q(
        `SELECT EXISTS (SELECT 1 FROM campaign c JOIN state_change s ON s.entity_type = 'Campaign' AND s.entity_id = c.id
           AND s.actor_id = $2 WHERE c.name = $1) AS stored`,
        [e.entityId, userId],
      );
    case 'advanceCampaign': {
      const [campaignId, phase] = e.entityId.split(':');
      return q(
        `SELECT EXISTS (SELECT 1 FROM state_change WHERE entity_type = 'Campaign' AND entity_id = $1::uuid
           AND event = 'ADVANCE' AND to_state = $3 AND actor_id = $2) AS stored`,
        [campaignId, userId, phase],
      );
    }
    case 'recordSelfCheck':
      return q(`SELECT EXISTS (SELECT 1 FROM self_check_report WHERE findings = $1 AND recorded_by = $2) AS stored`, [
        e.entityId,
        userId,
      ]);
    case 'createRule':
      return q(`SELECT EXISTS (SELECT 1 FROM rule WHERE rule_id = $1 AND version = 1) AS stored`, [e.entityId]);
    case 'updateRule':
      return q(`SELECT EXISTS (SELECT 1 FROM rule WHERE rule_id = $1 AND version = 2) AS stored`, [e.entityId]);
  }
}

export async function checkInvariants(
  db: DataSource,
  input: {
    oracle: ExpectedHits;
    models: readonly string[];
    finalRunId: string;
    ledger: LedgerEntry[];
    factsBefore: Record<string, number>;
    fivexx: number;
  },
): Promise<Check[]> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: unknown) => checks.push({ name, ok, detail });
  const one = async (sql: string, params: unknown[] = []) => (await db.query(sql, params))[0];
  const { oracle, models } = input;
  const oracleCount = (m: string) => (oracle.hits as Record<string, unknown[]>)[m]?.length ?? 0;

  const open = await db.query(`SELECT id, status FROM collision_run WHERE status IN ('QUEUED', 'RUNNING')`);
  check('every run finished (SUCCEEDED or FAILED)', open.length === 0, { open });

  const failed = await db.query(`SELECT id, error FROM collision_run WHERE status = 'FAILED'`);
  check(
    'every failed run says why',
    failed.every((r: { error: string | null }) => !!r.error),
    { failed: failed.length, reasons: [...new Set(failed.map((r: { error: string }) => r.error))].slice(0, 10) },
  );

  // Each SUCCEEDED run found, model by model, the oracle's number of hits (its jobs' own counts:
  // hit_count moves when a concurrent run re-detects the same hits).
  const perRun: { run_id: string; model: string; hits: number; open: number }[] = await db.query(
    `SELECT j.run_id, j.model, coalesce(sum(j.hits), 0)::int AS hits,
            count(*) FILTER (WHERE j.status <> 'SUCCEEDED')::int AS open
     FROM collision_run_job j JOIN collision_run r ON r.id = j.run_id
     WHERE r.status = 'SUCCEEDED' GROUP BY j.run_id, j.model`,
  );
  const wrong = perRun.filter((r) => r.open > 0 || r.hits !== oracleCount(r.model));
  check("every SUCCEEDED run's jobs all succeeded with the oracle's hits per model", wrong.length === 0, {
    runs: new Set(perRun.map((r) => r.run_id)).size,
    wrong: wrong.slice(0, 10),
  });

  // The final run, model by model: the oracle's keys and amounts exactly.
  const diffs: unknown[] = [];
  for (const model of models) {
    const rows: { hit_key: string; amount_involved: string }[] = await db.query(
      `SELECT hit_key, amount_involved::text FROM collision_hit WHERE model = $1 AND last_run_id = $2`,
      [model, input.finalRunId],
    );
    const got = new Map(rows.map((r) => [r.hit_key, Number(r.amount_involved).toFixed(2)]));
    const want = new Map(
      ((oracle.hits as Record<string, { hitKey: string; amountInvolved: string }[]>)[model] ?? []).map((h) => [
        h.hitKey,
        Number(h.amountInvolved).toFixed(2),
      ]),
    );
    const missing = [...want.keys()].filter((k) => !got.has(k));
    const extra = [...got.keys()].filter((k) => !want.has(k));
    const amounts = [...want.keys()].filter((k) => got.has(k) && got.get(k) !== want.get(k));
    if (missing.length || extra.length || amounts.length) diffs.push({ model, missing, extra, amounts });
  }
  check('the final full-window run has exactly the oracle’s hits', diffs.length === 0, { diffs });

  const allHits = await one(
    `SELECT count(*)::int AS hits, count(DISTINCT (model, hit_key))::int AS distinct_hits FROM collision_hit
     WHERE model = ANY($1::text[])`,
    [models],
  );
  const oracleTotal = models.reduce((n, m) => n + oracleCount(m), 0);
  check(
    'no hit lost, none extra, none duplicated',
    allHits.hits === oracleTotal && allHits.distinct_hits === oracleTotal,
    {
      ...allHits,
      oracle: oracleTotal,
    },
  );

  const clues = await one(
    `SELECT (SELECT count(*)::int FROM collision_hit h JOIN collision_run r ON r.id = h.first_run_id
             WHERE h.clue_id IS NULL AND r.forms_clues) AS hits_without_clue,
            (SELECT count(*)::int FROM clue c WHERE c.source = 'DATA_COLLISION'
             AND NOT EXISTS (SELECT 1 FROM collision_hit h WHERE h.clue_id = c.id)) AS clues_without_hits,
            (SELECT count(*)::int FROM clue WHERE status = 'NEW') AS unrouted`,
  );
  check(
    'every hit is on a clue, every collision clue has hits, every clue routed',
    clues.hits_without_clue === 0 && clues.clues_without_hits === 0 && clues.unrouted === 0,
    clues,
  );

  const dupEvents = await db.query(
    `SELECT entity_type, event, count(*)::int AS n FROM (
       SELECT entity_type, entity_id, event FROM state_change
       WHERE event IN ('ROUTE', 'START_VERIFICATION', 'ACCEPT', 'REQUEST', 'CONFIRM', 'DETECT', 'REGISTER',
                       'CONCLUDE_SUBSTANTIATED', 'CREATE', 'SUBMIT', 'CLOSE')
       GROUP BY 1, 2, 3 HAVING count(*) > 1) d GROUP BY 1, 2`,
  );
  check('no workflow event recorded twice', dupEvents.length === 0, { duplicates: dupEvents });

  const notifications = await one(
    `SELECT count(*)::int AS n FROM (SELECT user_id, dedupe_key FROM notification WHERE dedupe_key IS NOT NULL
     GROUP BY 1, 2 HAVING count(*) > 1) d`,
  );
  check('no notification duplicated', notifications.n === 0, notifications);

  const outbox = await one(`SELECT count(*)::int AS unpublished FROM outbox WHERE published_at IS NULL`);
  check('the outbox is drained (no event lost between database and queue)', outbox.unpublished === 0, outbox);

  const audit = await verifyAuditChain(db);
  check('the audit chain verifies', audit.valid, audit);

  // Mutations as the clients saw them.
  const users = new Map<string, string>(
    (await db.query('SELECT username, id FROM app_user')).map((u: { username: string; id: string }) => [
      u.username,
      u.id,
    ]),
  );
  const seenOkNotStored: LedgerEntry[] = [];
  const seenFailedStored: LedgerEntry[] = [];
  const unknown = { stored: 0, absent: 0 };
  for (const e of input.ledger) {
    const isStored = await stored(db, e, users.get(e.username)!);
    if (e.outcome === 'ok' && !isStored) seenOkNotStored.push(e);
    if (
      e.outcome === 'error' &&
      isStored &&
      !input.ledger.some(
        (o) =>
          o !== e && o.op === e.op && o.entityId === e.entityId && o.username === e.username && o.outcome !== 'error',
      )
    ) {
      seenFailedStored.push(e);
    }
    if (e.outcome === 'network') unknown[isStored ? 'stored' : 'absent'] += 1;
  }
  check('every mutation a client saw succeed is stored', seenOkNotStored.length === 0, {
    ok: input.ledger.filter((e) => e.outcome === 'ok').length,
    missing: seenOkNotStored.slice(0, 10),
  });
  check('every mutation a client saw fail left nothing', seenFailedStored.length === 0, {
    failed: input.ledger.filter((e) => e.outcome === 'error').length,
    stored: seenFailedStored.slice(0, 10),
  });
  check('mutations without an answer (process killed) were settled from the database', true, unknown);

  // Audit entries of the workload's mutations: at least one per success, at most one per attempt
  // that may have committed (success or no answer).
  const audited: { username: string; action: string; n: number }[] = await db.query(
    `SELECT u.username, a.action, count(*)::int AS n FROM audit_log a JOIN app_user u ON u.id = a.actor_id
     WHERE a.action = ANY($1::text[]) GROUP BY 1, 2`,
    [MUTATIONS.map((op) => `mutation.${op}`)],
  );
  const auditOf = new Map(audited.map((a) => [`${a.username}|${a.action}`, a.n]));
  const bad: unknown[] = [];
  const groups = new Map<string, { ok: number; network: number }>();
  for (const e of input.ledger) {
    const key = `${e.username}|mutation.${e.op}`;
    const g = groups.get(key) ?? { ok: 0, network: 0 };
    if (e.outcome === 'ok') g.ok += 1;
    if (e.outcome === 'network') g.network += 1;
    groups.set(key, g);
  }
  for (const [key, g] of groups) {
    const n = auditOf.get(key) ?? 0;
    if (n < g.ok || n > g.ok + g.network) bad.push({ key, audited: n, ...g });
  }
  check('every stored mutation audited once, none of a failed one', bad.length === 0, { groups: groups.size, bad });

  const facts = {};
  const after = await factCounts(db);
  check(
    're-loads killed mid-file left the loaded batch as it was',
    JSON.stringify(after) === JSON.stringify(input.factsBefore),
    { before: input.factsBefore, after, ...facts },
  );

  check('no 5xx answer', input.fivexx === 0, { fivexx: input.fivexx });
  return checks;
}
