/**
 * 数据碰撞 runs: a run is split into one job per (model, slice), queued through the outbox,
 * executed by the collision workers (runModel: one set-based upsert each), and finalised by
 * whichever job finishes last: hits are attached to clues and the new clues handed to routing,
 * all in one transaction. Every step is idempotent, so a job retried after its worker was
 * killed converges on exactly the result of a clean run.
 */
import { inTransaction } from '../../db/transaction';
import { DataSource, EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { effectiveParameters, regionalParameters } from '../../collision/parameters';
import { ALL_MODEL_CODES, ALL_MODELS } from '../../collision/registry';
import { refreshFactStatistics } from '../../collision/fact-statistics';
import { planJobs, runModel, windowLines } from '../../collision/run-model';
import { badInput, notFound } from '../../core/errors';
import { toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { parseDate } from '../../core/dates';
import { OUTBOX_TOPICS, enqueueOutboxMany } from '../../outbox/outbox';
import { Actor } from '../../policy';
import { statesFiring } from '../../workflow/machine';
import { applySystemEventInBulk, recordCreationInBulk } from '../../workflow/transition';
import { appendAudit } from '../audit/audit.service';
import { clueMachine } from '../clue/clue.machine';
import {
  addEvidencePersonsOfRun,
  cluesWithDetails,
  insertClues,
  setCampaignOfRunClues,
  sumClueAmountsOverHits,
} from '../clue/clue.repository';
import { enqueueRoutingMany } from '../clue/clue.service';
import { recordRunRules } from '../rule/rule.repository';
import * as collisions from './collision.repository';
import { CollisionJobKey, CollisionRunRow } from './collision.repository';

export type { CollisionRunJobRow, CollisionRunRow, RunStatus } from './collision.repository';
export { jobsByRunIds, runsByIds, unroutedCluesOfRun, visibleRunsByCampaignIds } from './collision.repository';

export type CollisionJobData = CollisionJobKey;

type Db = DataSource | EntityManager;

export async function findRun(db: Db, runId: string): Promise<CollisionRunRow> {
  const run = await collisions.runById(db, runId);
  if (!run) throw notFound('collision run');
  return run;
}

/** A run the actor may see, or null. */
export const findVisibleRun = (db: Db, actor: Actor, runId: string): Promise<CollisionRunRow | null> =>
  collisions.visibleRunById(db, actor, runId);

/** The runs the actor may see, newest first. */
export const listRuns = (
  db: Db,
  actor: Actor,
  filter: collisions.RunListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionRunRow>> => collisions.pageRuns(db, actor, filter, first, after);

export interface StartRunInput {
  models?: string[] | null;
  from: string;
  to: string;
  regionCode?: string | null;
  /** Only hits whose subject institution is one of these (回头看); absent = every institution. */
  institutionCodes?: string[] | null;
  /** false: the run's hits are left without clues for the caller to attach (回头看); default true. */
  formsClues?: boolean;
  createdBy?: string | null;
  /** Settlement lines per job before a model is split (run-model.ts ROWS_PER_JOB); for tests and operators. */
  rowsPerJob?: number;
}

/** Records a run and its jobs, and queues the jobs (through the outbox, in the same transaction). */
export async function startCollisionRun(services: AppServices, input: StartRunInput): Promise<CollisionRunRow> {
  const runId = await inTransaction(services.db, (m) => insertCollisionRun(m, input));
  return findRun(services.db, runId);
}

/** startCollisionRun inside the caller's transaction: the run, its jobs and their outbox entries. Returns its id. */
export async function insertCollisionRun(m: EntityManager, input: StartRunInput): Promise<string> {
  // Without explicit models a run runs the 16 models and the 7 rule classes (RULES.md).
  const models = input.models?.length ? [...new Set(input.models)] : [...ALL_MODEL_CODES];
  const unknown = models.filter((model) => !ALL_MODEL_CODES.includes(model));
  if (unknown.length) throw badInput(`unknown collision models ${unknown.join(', ')}`);
  const from = parseDate(input.from);
  const to = parseDate(input.to);
  if (from > to) throw badInput(`from ${from} is after to ${to}`);
  if (input.regionCode && !(await collisions.regionExists(m, input.regionCode))) {
    throw badInput(`unknown region ${input.regionCode}`);
  }
  const parameters = await effectiveParameters(m, models, input.regionCode);
  const regional = await regionalParameters(m, models, input.regionCode);
  const id = await collisions.insertRun(m, {
    models,
    from_date: from,
    to_date: to,
    region_code: input.regionCode ?? null,
    parameters,
    regional_parameters: regional,
    created_by: input.createdBy ?? null,
    institution_codes: input.institutionCodes?.length ? input.institutionCodes : null,
    forms_clues: input.formsClues ?? true,
  });
  await recordRunRules(m, id, models);
  const jobs: CollisionJobKey[] = [];
  // Jobs are sized by the lines they read, not by the calendar (planJobs).
  const lines = await windowLines(m, { from, to });
  for (const model of models) {
    const slices = await planJobs(m, model, { from, to, regionCode: input.regionCode }, lines, input.rowsPerJob);
    jobs.push(...slices.map((slice) => ({ runId: id, model, slice })));
  }
  await collisions.insertRunJobs(m, jobs);
  await enqueueOutboxMany(
    m,
    OUTBOX_TOPICS.collisionJob,
    jobs.map((job) => ({
      dedupeKey: `collision:${id}:${job.model}:${job.slice || 'all'}`,
      payload: { ...job } satisfies CollisionJobData,
    })),
  );
  await appendAudit(m, {
    actorId: input.createdBy ?? null,
    action: 'CollisionRun.START',
    targetType: 'CollisionRun',
    targetId: toGlobalId('CollisionRun', id),
    detail: {
      models,
      from,
      to,
      regionCode: input.regionCode ?? null,
      ...(input.institutionCodes?.length ? { institutionCodes: input.institutionCodes } : {}),
    },
  });
  return id;
}

/** Runs this process has refreshed the fact statistics for (once per run and process). */
const analyzedForRun = new Set<string>();

/**
 * Executes one job of a run (after the fact tables' statistics are refreshed: fact-statistics.ts). Safe to repeat: a job whose work is committed is skipped, the
 * upsert makes redoing it harmless, and finalisation happens once.
 */
export async function executeCollisionJob(
  services: AppServices,
  job: CollisionJobData,
): Promise<{ hits: number; skipped?: boolean }> {
  const run = await findRun(services.db, job.runId);
  if (run.status === 'SUCCEEDED' || run.status === 'FAILED') return { hits: 0, skipped: true };
  await collisions.markRunRunning(services.db, job.runId);
  const state = await collisions.startJobAttempt(services.db, job);
  if (!state) throw notFound(`collision job ${job.model}/${job.slice}`);
  let hits = state.hits ?? 0;
  if (state.status !== 'SUCCEEDED') {
    if (!analyzedForRun.has(job.runId)) {
      await refreshFactStatistics(services.db);
      if (analyzedForRun.size >= 1000) analyzedForRun.clear();
      analyzedForRun.add(job.runId);
    }
    const result = await runModel(services.db, {
      runId: job.runId,
      model: job.model,
      from: run.from_date,
      to: run.to_date,
      regionCode: run.region_code,
      institutionCodes: run.institution_codes,
      params: run.parameters[job.model],
      regional: run.regional_parameters?.[job.model],
      slice: job.slice,
    });
    hits = result.hits;
  }
  await finalizeRun(services, job.runId);
  return { hits };
}

/** Marks a job and its run FAILED once its retries are exhausted. */
export async function failCollisionJob(services: AppServices, job: CollisionJobData, error: string): Promise<void> {
  await inTransaction(services.db, async (m) => {
    await collisions.markJobAndRunFailed(m, job, {
      job: error,
      run: `${job.model}${job.slice ? `/${job.slice}` : ''}: ${error}`,
    });
    await appendAudit(m, {
      action: 'CollisionRun.FAILED',
      targetType: 'CollisionRun',
      targetId: toGlobalId('CollisionRun', job.runId),
      detail: { model: job.model, slice: job.slice, error },
    });
  });
}

/**
 * When every job of a run has succeeded: attach its hits to clues (MODELS.md "Clues from
 * hits"), then hand the new clues to routing, and mark the run SUCCEEDED — one transaction.
 */
export async function finalizeRun(services: AppServices, runId: string): Promise<boolean> {
  return inTransaction(services.db, async (m) => {
    const run = await collisions.lockRunForFinalize(m, runId);
    if (!run || run.status !== 'RUNNING' || run.open_jobs > 0) return false;
    // A run that forms no clues (回头看) leaves its new hits to its caller (recheck-runner.ts).
    const cluesCreated = run.forms_clues ? await attachHitsToClues(m, runId) : 0;
    await collisions.markRunSucceeded(m, runId, cluesCreated);
    await appendAudit(m, {
      action: 'CollisionRun.SUCCEEDED',
      targetType: 'CollisionRun',
      targetId: toGlobalId('CollisionRun', runId),
      detail: { cluesCreated },
    });
    return true;
  });
}

/**
 * Hits of the run that have no clue join the open clue of their model and subject institution
 * (the states HITS_ADDED fires from: the machine's, passed as a parameter), else a new
 * DATA_COLLISION clue per (model, institution), created by the one clue insertion. Clue
 * amounts become the sum over their hits; persons of the evidence are added; joins are the
 * clues' HITS_ADDED events (versioned, on the timeline, audited per batch), creations their
 * REGISTER entries; new clues are queued for routing. Returns the number of clues created.
 * Set-based throughout.
 */
export async function attachHitsToClues(m: EntityManager, runId: string): Promise<number> {
  const joined = await collisions.joinHitsToOpenClues(m, runId, statesFiring(clueMachine, 'HITS_ADDED'));
  const names = new Map(ALL_MODELS.map((model) => [model.code, model.name]));
  const groups = await collisions.unattachedHitGroups(m, runId);
  const created = await insertClues(
    m,
    groups.map((g) => ({
      title: `${names.get(g.model) ?? g.model}：${g.institution_name}`,
      description: `数据碰撞发现的疑点 (${g.model})`,
      source: 'DATA_COLLISION',
      model: g.model,
      institution_code: g.institution_code,
      region_code: g.region_code,
      amount_involved: '0',
    })),
  );
  // Clues created from a campaign's run carry the campaign (docs/OUTCOMES.md).
  await setCampaignOfRunClues(
    m,
    runId,
    created.map((c) => c.id),
  );
  const attached = await collisions.attachHitsToClues(
    m,
    runId,
    created.map((c) => c.id),
  );
  await addEvidencePersonsOfRun(m, runId);
  await sumClueAmountsOverHits(m, runId);
  if (joined.length) {
    await applySystemEventInBulk(m, clueMachine, 'HITS_ADDED', {
      ...cluesWithDetails(joined.map((j) => ({ id: j.clue_id, detail: { runId, hits: j.hits } }))),
      skipLocked: false,
      auditDetail: { runId },
    });
  }
  const hitsOf = new Map(attached.map((a) => [a.clue_id, a.hits]));
  await recordCreationInBulk(m, clueMachine, {
    event: 'REGISTER',
    created: created.map((c) => ({ id: c.id, detail: { runId, hits: hitsOf.get(c.id) ?? 0 } })),
    auditDetail: { runId },
  });
  // Routing runs after every hit is attached, so it sees each new clue's final persons and amount.
  await enqueueRoutingMany(
    m,
    created.map((c) => c.id),
  );
  return created.length;
}

/** Hits per model of a run's jobs, for the CLI summary. */
export async function runHitsByModel(db: AppServices['db'], runId: string): Promise<Record<string, number>> {
  const rows = await collisions.runHitsByModel(db, runId);
  return Object.fromEntries(rows.map((r) => [r.model, r.hits]));
}

/** Hits stored per model (each hit counted once, however many runs re-detected it); 0 for models without hits. */
export async function storedHitsByModel(db: AppServices['db']): Promise<Record<string, number>> {
  const rows = await collisions.storedHitsByModel(db);
  return {
    ...Object.fromEntries(ALL_MODEL_CODES.map((code) => [code, 0])),
    ...Object.fromEntries(rows.map((r) => [r.model, r.hits])),
  };
}
