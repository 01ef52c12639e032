/**
 * 回头看 runner (PRODUCT.md §9): on its due date (by `services.clock`) a recheck re-runs the
 * collision models behind its problem's hits for the problem's institution over the window
 * after closure — (closed date, due date] — and judges what that run found: no hit → PASSED;
 * hits → RECURRED: the problem reopens and a RECHECK clue, carrying those hits, goes to 医保
 * one level up with the escalating recommendation (约谈 → 暂停结算 → 解除定点协议).
 *
 * Driven by the maintenance queue's deadline sweep (every 30 s). All state is in PostgreSQL, so
 * the sweep survives restarts; each step is one transaction on one recheck row locked with
 * SKIP LOCKED, so two sweeps at once start (and judge) a recheck once:
 *   1. SCHEDULED and due → START: the collision run is recorded (jobs queued through the outbox)
 *      and linked in the same transaction, with the window.
 *   2. RUNNING whose run SUCCEEDED → PASS or RECUR; whose run FAILED → RERUN with a new run.
 * See docs/OUTCOMES.md "回头看 runner" for the decisions where the spec is silent.
 */
import { AppServices } from '../../app';
import { toGlobalId } from '../../core/ids';
import { SqlParams } from '../../core/sql';
import { inTransaction } from '../../db/transaction';
import { EntityManager } from 'typeorm';
import { applySystemEventInBulk, recordCreation } from '../../workflow/transition';
import { statesFiring } from '../../workflow/machine';
import { clueMachine } from '../clue/clue.machine';
import { addEvidencePersonsOfRun, insertClues } from '../clue/clue.repository';
import { enqueueRoutingMany } from '../clue/clue.service';
import { insertCollisionRun } from '../collision/collision-run.service';
import { notify } from '../notification/notification.service';
import { problemMachine } from './problem.machine';
import { Recommendation, RECOMMENDATIONS, recheckMachine } from './recheck.machine';
import * as runner from './recheck-runner.repository';
import { RecheckPlan } from './recheck-runner.repository';

/** Rechecks handled per step and sweep; the rest wait for the next sweep (30 s later). */
const BATCH = 50;

/** A recheck whose collision run fails is re-run this many times, then left RUNNING for someone to look at. */
export const MAX_RERUNS = 3;

/** The recommendations in order of severity: the n-th recurrence within the window gets the n-th. */
const ESCALATION: Recommendation[] = ['INTERVIEW', 'SUSPEND_SETTLEMENT', 'TERMINATE_AGREEMENT'];

/** The recommendation after `earlier` recurrences of the institution within the window. */
export const recommendationAfter = (earlier: number): Recommendation =>
  ESCALATION[Math.min(earlier, ESCALATION.length - 1)];

export interface RecheckSweepResult {
  started: number;
  passed: number;
  recurred: number;
  rerun: number;
}

/** One pass of the sweep: start what is due, judge what has run. */
export async function sweepRechecks(services: AppServices): Promise<RecheckSweepResult> {
  const result: RecheckSweepResult = { started: 0, passed: 0, recurred: 0, rerun: 0 };
  const today = services.clock.today();
  for (const id of await runner.dueRecheckIds(services.db, statesFiring(recheckMachine, 'START'), today, BATCH)) {
    const outcome = await inTransaction(services.db, (m) => startRecheck(m, id));
    if (outcome) result.started += 1;
    if (outcome === 'PASSED') result.passed += 1;
  }
  for (const id of await runner.runningRecheckIds(
    services.db,
    statesFiring(recheckMachine, 'PASS'),
    BATCH,
    MAX_RERUNS,
  )) {
    const outcome = await inTransaction(services.db, (m) => judgeRecheck(m, id));
    if (outcome === 'PASSED') result.passed += 1;
    else if (outcome === 'RECURRED') result.recurred += 1;
    else if (outcome === 'RERUN') result.rerun += 1;
  }
  return result;
}

/** One bulk transition of one (already locked) recheck. */
async function recheckEvent(
  m: EntityManager,
  id: string,
  event: keyof typeof recheckMachine.events,
  values: Record<string, unknown>,
  detail: Record<string, unknown>,
): Promise<boolean> {
  const params = new SqlParams();
  const candidates = runner.oneRow(params, id);
  const set = Object.fromEntries(
    Object.entries(values).map(([column, value]) => [column, value === 'now()' ? 'now()' : params.add(value)]),
  );
  const changed = await applySystemEventInBulk(m, recheckMachine, event, {
    candidates,
    params,
    set,
    detail: params.add(JSON.stringify(detail), 'jsonb'),
    auditDetail: detail,
  });
  return changed.length === 1;
}

/** The models a recheck re-runs: those behind its problem's hits, else every model (none → undefined). */
async function modelsOf(m: EntityManager, plan: RecheckPlan): Promise<string[] | undefined> {
  const models = await runner.problemModels(m, plan.problem_id);
  return models.length ? models : undefined;
}

/** Records the recheck's collision run: its models, its window, only its institution, no clues. */
async function recordRun(m: EntityManager, plan: RecheckPlan, windowTo: string): Promise<string> {
  return insertCollisionRun(m, {
    models: await modelsOf(m, plan),
    from: plan.window_from,
    to: windowTo,
    regionCode: plan.institution_region,
    institutionCodes: [plan.institution_code!],
    formsClues: false,
  });
}

/**
 * START of one due recheck, with its collision run; a recheck with nothing to re-run (no
 * institution, or an empty window) passes at once. Null when another sweep has it.
 */
async function startRecheck(m: EntityManager, id: string): Promise<'STARTED' | 'PASSED' | null> {
  const plan = await runner.lockRecheckPlan(m, id, statesFiring(recheckMachine, 'START'));
  if (!plan) return null;
  const window = { window_from: plan.window_from, window_to: plan.due_on };
  if (!plan.institution_code || plan.window_from > plan.due_on) {
    const note = !plan.institution_code ? '问题未关联定点机构，无可复查的数据' : '回头看日期早于销号次日，无复查期间';
    await recheckEvent(m, id, 'START', window, { note });
    await recheckEvent(m, id, 'PASS', { new_hits: 0, completed_at: 'now()' }, { note });
    await notifyResult(m, plan, 'PASSED', 0);
    return 'PASSED';
  }
  const runId = await recordRun(m, plan, plan.due_on);
  await recheckEvent(m, id, 'START', { ...window, run_id: runId }, { runId: toGlobalId('CollisionRun', runId) });
  return 'STARTED';
}

/**
 * Judges a running recheck whose run has ended: PASS or RECUR on success; a failed (or missing)
 * run is replaced by a new one (RERUN). Null when another sweep has it.
 */
async function judgeRecheck(m: EntityManager, id: string): Promise<'PASSED' | 'RECURRED' | 'RERUN' | null> {
  const plan = await runner.lockRecheckPlan(m, id, statesFiring(recheckMachine, 'PASS'));
  if (!plan || plan.run_status === 'QUEUED' || plan.run_status === 'RUNNING') return null;
  const windowTo = plan.window_to ?? plan.due_on;
  if (plan.run_status !== 'SUCCEEDED' || !plan.run_id || !plan.institution_code) {
    if (!plan.institution_code) return null;
    const runId = await recordRun(m, plan, windowTo);
    await recheckEvent(
      m,
      id,
      'RERUN',
      { run_id: runId },
      {
        runId: toGlobalId('CollisionRun', runId),
        failedRunId: plan.run_id ? toGlobalId('CollisionRun', plan.run_id) : null,
      },
    );
    return 'RERUN';
  }
  const found = await runner.runHitsOfInstitution(m, plan.run_id, plan.institution_code);
  if (found.hits === 0) {
    await recheckEvent(m, id, 'PASS', { new_hits: 0, completed_at: 'now()' }, { runId: plan.run_id });
    await notifyResult(m, plan, 'PASSED', 0);
    return 'PASSED';
  }

  const months = await runner.numericRegionSetting(m, plan.institution_region!, 'recurrenceWindowMonths', 24);
  const earlier = await runner.earlierRecurrences(m, id, plan.institution_code, plan.due_on, months);
  const recommendation = recommendationAfter(earlier);
  const [clue] = await insertClues(m, [
    {
      title: `回头看复发：${plan.institution_name ?? plan.institution_code}`,
      description:
        `问题 ${plan.problem_code} 销号后回头看（${plan.window_from} 至 ${windowTo}）发现 ${found.hits} 条新疑点` +
        `（模型 ${found.models.join('、')}）；${months} 个月内第 ${earlier + 1} 次复发，` +
        `处理建议：${RECOMMENDATIONS[recommendation]}`,
      source: 'RECHECK',
      institution_code: plan.institution_code,
      region_code: plan.institution_region!,
      amount_involved: found.amount,
    },
  ]);
  const attached = await runner.attachRunHitsToClue(m, plan.run_id, plan.institution_code, clue.id);
  await addEvidencePersonsOfRun(m, plan.run_id);
  const detail = {
    recheckId: toGlobalId('Recheck', id),
    problemId: toGlobalId('Problem', plan.problem_id),
    runId: toGlobalId('CollisionRun', plan.run_id),
    hits: found.hits,
    attached,
    recommendation,
  };
  await recordCreation(m, clueMachine, { id: clue.id, event: 'REGISTER', actor: null, detail });
  await recheckEvent(
    m,
    id,
    'RECUR',
    { new_hits: found.hits, recommendation, clue_id: clue.id, completed_at: 'now()' },
    { ...detail, clueId: toGlobalId('Clue', clue.id) },
  );
  const params = new SqlParams();
  await applySystemEventInBulk(m, problemMachine, 'REOPEN', {
    candidates: runner.oneRow(params, plan.problem_id),
    params,
    skipLocked: false,
    detail: params.add(JSON.stringify(detail), 'jsonb'),
    auditDetail: detail,
  });
  await enqueueRoutingMany(m, [clue.id]);
  await notifyResult(m, plan, 'RECURRED', found.hits, recommendation);
  return 'RECURRED';
}

/** RECHECK_PASSED / RECHECK_RECURRED to the problem's supervising and responsible departments. */
async function notifyResult(
  m: EntityManager,
  plan: RecheckPlan,
  result: 'PASSED' | 'RECURRED',
  hits: number,
  recommendation?: Recommendation,
): Promise<void> {
  const institution = plan.institution_name ?? plan.institution_code ?? '';
  await notify(m, {
    kind: result === 'PASSED' ? 'RECHECK_PASSED' : 'RECHECK_RECURRED',
    title:
      result === 'PASSED'
        ? `问题 ${plan.problem_code} 回头看未发现复发`
        : `问题 ${plan.problem_code} 回头看发现复发，已重新整改`,
    body:
      result === 'PASSED'
        ? `${institution} ${plan.window_from} 至 ${plan.due_on} 未发现新疑点`
        : `${institution} 发现 ${hits} 条新疑点，处理建议：${RECOMMENDATIONS[recommendation!]}`,
    target: { type: 'Recheck', id: plan.id },
    to: { departmentIds: [...new Set([plan.supervising_department_id, plan.responsible_department_id])] },
    dedupeKey: `recheck-${result.toLowerCase()}:${plan.id}`,
  });
}
