/**
 * Cases (案件): filed from substantiated clues, driven through the case machine, with
 * sanctions (处理处罚), rectification items (整改事项) and links to other cases (一案双查).
 * Reads go through the visibility policy; an id the caller may not see is NOT_FOUND.
 */
import { SqlParams } from '../../core/sql';
import { codePrefix } from '../../core/regions';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { AppError, badInput, notFound } from '../../core/errors';
import { Connection, paginate } from '../../core/pagination';
import { rowId, toGlobalId } from '../../core/ids';
import {
  Actor,
  assertCanCompleteRectification,
  assertOwnerCaseWorker,
  caseVisibleSql,
  clueVisibleSql,
  partiesOf,
  rectificationVisibleSql,
} from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent } from '../../workflow/transition';
import { insertTimelineEntry } from '../../workflow/timeline.repository';
import { appendAudit } from '../audit/audit.service';
import { clueMachine } from '../clue/clue.machine';
import { CLUE_SELECT, clueParties } from '../clue/clue.service';
import { ClueRow } from '../clue/clue.types';
import { shanghaiDate } from '../reference/working-days';
import { CaseEvent, CaseGuardInput, caseMachine, RECTIFICATION_STATES, SANCTION_STATES } from './case.machine';
import {
  AddRectificationInput,
  AddSanctionInput,
  CaseFilter,
  CaseRelationKind,
  CaseRelationRow,
  CaseRow,
  OpenCaseInput,
  RectificationRow,
  SANCTION_KINDS_WITH_AMOUNT,
  SanctionRow,
} from './case.types';

type Db = AppServices['db'] | EntityManager;

/** At most this many clues are filed together as one case. */
const MAX_CLUES_PER_CASE = 100;

/** The date column is read as text: node-postgres would turn it into a local-midnight Date. */
const RECTIFICATION_SELECT = `r.id, r.case_id, r.description, r.owner_department_id, r.deadline::text AS deadline, r.status,
  r.completed_at, r.completed_by, r.note, r.created_at`;

export const caseParties = (actor: Actor | null, row: CaseRow) =>
  partiesOf(actor, { ownerDepartmentId: row.owner_department_id });

export const caseAllowedEvents = (actor: Actor, row: CaseRow): CaseEvent[] =>
  allowedEvents(caseMachine, row.status, caseParties(actor, row));

/**
 * A case the actor may see, or NOT_FOUND. `lock` takes a row lock on the case so that
 * sanctions and rectifications cannot slip past a guard being evaluated concurrently.
 */
export async function findVisibleCase(
  db: Db,
  actor: Actor,
  caseId: string,
  lock?: 'FOR NO KEY UPDATE' | 'FOR SHARE',
): Promise<CaseRow> {
  const params = new SqlParams([caseId]);
  const rows: CaseRow[] = await db.query(
    `SELECT k.* FROM "case" k WHERE k.id = $1 AND ${caseVisibleSql(actor, params)} ${lock ? `${lock} OF k` : ''}`,
    params.values,
  );
  if (!rows[0]) throw notFound('case');
  return rows[0];
}

/** Visible cases by id, for batch loading (ids not visible are absent). */
export async function visibleCasesByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<CaseRow[]> {
  const params = new SqlParams([ids]);
  return db.query(`SELECT k.* FROM "case" k WHERE k.id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}`, params.values);
}

/** For Clue.case: the visible cases of clues, each with the `clue_id` it was asked for. */
export function visibleCasesByClueIds(
  db: Db,
  actor: Actor,
  clueIds: readonly string[],
): Promise<(CaseRow & { clue_id: string })[]> {
  const params = new SqlParams([clueIds]);
  return db.query(
    `SELECT k.*, kc.clue_id FROM case_clue kc JOIN "case" k ON k.id = kc.case_id
     WHERE kc.clue_id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}`,
    params.values,
  );
}

export async function listCases(
  services: AppServices,
  actor: Actor,
  filter: CaseFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CaseRow>> {
  const params = new SqlParams();
  const where = [caseVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter?.status?.length) where.push(`k.status = ANY(${p(filter.status)})`);
  if (filter?.ownerDepartmentId) {
    where.push(`k.owner_department_id = ${p(rowId(filter.ownerDepartmentId, 'Department'))}`);
  }
  if (filter?.regionCode) where.push(`k.region_code LIKE ${p(`${codePrefix(filter.regionCode)}%`)}`);
  return paginate<CaseRow & { created_us: string }, CaseRow>({
    query: (sql, ps) => services.db.query(sql, ps),
    from: `(SELECT k.*, (extract(epoch FROM k.created_at) * 1000000)::bigint AS created_us FROM "case" k) k`,
    where,
    params,
    orderBy: [
      { column: 'k.created_us', key: 'created_us' },
      { column: 'k.id', key: 'id' },
    ],
    descending: true,
    first,
    after,
    map: (row) => row,
  });
}

// ---------------------------------------------------------------------------------------
// Batch reads for the Case fields (one query per field and request, through dataloaders).
// ---------------------------------------------------------------------------------------

export function sanctionsByCaseIds(db: Db, caseIds: readonly string[]): Promise<SanctionRow[]> {
  return db.query('SELECT * FROM sanction WHERE case_id = ANY($1::uuid[]) ORDER BY decided_at, id', [caseIds]);
}

export function rectificationsByCaseIds(db: Db, caseIds: readonly string[]): Promise<RectificationRow[]> {
  return db.query(
    `SELECT ${RECTIFICATION_SELECT} FROM rectification_item r WHERE r.case_id = ANY($1::uuid[]) ORDER BY r.created_at, r.id`,
    [caseIds],
  );
}

/** The related cases the actor may see, each with the case it was asked for (`relation_of`). */
export function visibleRelationsByCaseIds(
  db: Db,
  actor: Actor,
  caseIds: readonly string[],
): Promise<CaseRelationRow[]> {
  const params = new SqlParams([caseIds]);
  return db.query(
    `SELECT k.*, cr.case_id AS relation_of, cr.kind AS relation_kind
     FROM case_relation cr JOIN "case" k ON k.id = cr.other_case_id
     WHERE cr.case_id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}
     ORDER BY cr.created_at, k.id`,
    params.values,
  );
}

/** The clues of the cases that the actor may see, each with its `case_id`. */
export function visibleCluesByCaseIds(
  db: Db,
  actor: Actor,
  caseIds: readonly string[],
): Promise<(ClueRow & { case_id: string })[]> {
  const params = new SqlParams([caseIds]);
  return db.query(
    `SELECT kc.case_id, ${CLUE_SELECT} FROM case_clue kc JOIN clue c ON c.id = kc.clue_id
     WHERE kc.case_id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params)}
     ORDER BY c.created_at, c.id`,
    params.values,
  );
}

// ---------------------------------------------------------------------------------------
// Filing and transitions.
// ---------------------------------------------------------------------------------------

/**
 * 立案: files one case from substantiated clues the caller's department owns. Each clue goes
 * SUBSTANTIATED → CASE_OPENED through the clue machine, in the same transaction as the case.
 */
export async function openCase(services: AppServices, actor: Actor, input: OpenCaseInput): Promise<CaseRow> {
  const title = input.title.trim();
  if (!title) throw badInput('title must not be empty');
  const clueIds = [...new Set(input.clueIds.map((id) => rowId(id, 'Clue')))];
  if (!clueIds.length) throw badInput('a case is filed from at least one clue');
  if (clueIds.length > MAX_CLUES_PER_CASE) throw badInput(`a case is filed from at most ${MAX_CLUES_PER_CASE} clues`);
  const leadId = input.leadInvestigatorId ? rowId(input.leadInvestigatorId, 'User') : null;

  const caseId = await services.db.transaction(async (m) => {
    // Locked: a clue filed concurrently into another case is then seen as CASE_OPENED here.
    const params = new SqlParams([clueIds]);
    const clues: ClueRow[] = await m.query(
      `SELECT ${CLUE_SELECT} FROM clue c WHERE c.id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params)}
       ORDER BY array_position($1::uuid[], c.id) FOR NO KEY UPDATE OF c`,
      params.values,
    );
    if (clues.length !== clueIds.length) throw notFound('clue');
    for (const clue of clues)
      assertOwnerCaseWorker(actor, clue.owner_department_id ?? '', `file a case on clue ${clue.code}`);
    if (leadId) {
      const [lead] = await m.query('SELECT 1 FROM app_user WHERE id = $1 AND department_id = $2 AND active', [
        leadId,
        actor.department.id,
      ]);
      if (!lead) throw badInput('the lead investigator must be an active user of the owning department');
    }
    const [row]: CaseRow[] = await m.query(
      `INSERT INTO "case" (code, title, status, owner_department_id, region_code, lead_investigator_id, created_by)
       VALUES ('AJ' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' || lpad(nextval('case_code_seq')::text, 6, '0'),
               $1, 'FILED', $2, $3, $4, $5)
       RETURNING *`,
      [title, actor.department.id, clues[0].region_code, leadId, actor.userId],
    );
    await m.query('INSERT INTO case_clue (case_id, clue_id) SELECT $1, unnest($2::uuid[])', [row.id, clueIds]);
    // One transition per clue: each is checked, versioned and recorded like any other.
    for (const clue of clues) {
      await applyEvent(m, clueMachine, clue, {
        event: 'OPEN_CASE',
        actor,
        parties: clueParties(actor, clue),
        input: {},
        note: title,
        detail: { caseId: toGlobalId('Case', row.id), caseCode: row.code },
      });
    }
    await insertTimelineEntry(m, {
      entity: 'Case',
      entityId: row.id,
      actorId: actor.userId,
      from: null,
      to: 'FILED',
      event: 'FILE',
      note: title,
      detail: { clueIds: input.clueIds },
    });
    await appendAudit(m, {
      actorId: actor.userId,
      action: 'Case.FILE',
      targetType: 'Case',
      targetId: toGlobalId('Case', row.id),
      detail: { code: row.code, clueIds: input.clueIds },
    });
    return row.id;
  });
  return findVisibleCase(services.db, actor, caseId);
}

/** Runs one case event; the DECIDE and CLOSE guards count sanctions and open rectifications in the transaction. */
export async function transitionCase(
  services: AppServices,
  actor: Actor,
  caseGlobalId: string,
  event: CaseEvent,
  options: { note?: string | null; expectedVersion?: number | null; noActionDecision?: string | null },
): Promise<CaseRow> {
  const id = rowId(caseGlobalId, 'Case');
  const noActionDecision = options.noActionDecision?.trim() || null;
  if (options.noActionDecision != null && event !== 'DECIDE') {
    throw badInput('a no-action decision is recorded only with DECIDE');
  }
  if (options.noActionDecision != null && !noActionDecision) throw badInput('noActionDecision must not be empty');
  await services.db.transaction(async (m) => {
    const row = await findVisibleCase(m, actor, id, 'FOR NO KEY UPDATE');
    const [counts]: { sanctions: number; open_rectifications: number }[] = await m.query(
      `SELECT (SELECT count(*) FROM sanction WHERE case_id = $1)::int AS sanctions,
              (SELECT count(*) FROM rectification_item WHERE case_id = $1 AND status = 'OPEN')::int AS open_rectifications`,
      [id],
    );
    const input: CaseGuardInput = {
      sanctions: counts.sanctions,
      noActionDecision: Boolean(noActionDecision ?? row.no_action_decision),
      openRectifications: counts.open_rectifications,
    };
    await applyEvent(m, caseMachine, row, {
      event,
      actor,
      parties: caseParties(actor, row),
      expectedVersion: options.expectedVersion,
      input,
      set: {
        ...(noActionDecision ? { no_action_decision: noActionDecision } : {}),
        ...(event === 'CLOSE' ? { closed_at: new Date() } : {}),
      },
      note: options.note ?? noActionDecision,
      detail: noActionDecision ? { noActionDecision } : undefined,
    });
  });
  return findVisibleCase(services.db, actor, id);
}

/** Refuses content changes in states where the workflow does not expect them. */
function assertStateAllows(row: CaseRow, states: readonly string[], what: string): void {
  if (!states.includes(row.status)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `Case is ${row.status} (${caseMachine.states[row.status]}): ${what} only while ${states.join(', ')}`,
      { currentState: row.status },
    );
  }
}

// ---------------------------------------------------------------------------------------
// Sanctions, rectification items, relations.
// ---------------------------------------------------------------------------------------

export async function addSanction(services: AppServices, actor: Actor, input: AddSanctionInput): Promise<SanctionRow> {
  const caseId = rowId(input.caseId, 'Case');
  const personId = input.personId?.trim() || null;
  const institutionCode = input.institutionCode?.trim() || null;
  if ((personId === null) === (institutionCode === null)) {
    throw badInput('a sanction has exactly one target: personId or institutionCode');
  }
  if (input.amount?.startsWith('-')) throw badInput('amount must not be negative');
  if (SANCTION_KINDS_WITH_AMOUNT.includes(input.kind) && input.amount == null) {
    throw badInput(`${input.kind} needs an amount`);
  }
  return services.db.transaction(async (m) => {
    const row = await findVisibleCase(m, actor, caseId, 'FOR SHARE');
    assertOwnerCaseWorker(actor, row.owner_department_id, 'add sanctions');
    assertStateAllows(row, SANCTION_STATES, 'sanctions are recorded');
    const [target]: { found: boolean }[] = await m.query(
      `SELECT CASE WHEN $1::text IS NOT NULL THEN EXISTS (SELECT 1 FROM person WHERE person_id = $1)
                   ELSE EXISTS (SELECT 1 FROM institution WHERE code = $2) END AS found`,
      [personId, institutionCode],
    );
    if (!target.found)
      throw badInput(personId ? `unknown person ${personId}` : `unknown institution ${institutionCode}`);
    const [sanction]: SanctionRow[] = await m.query(
      `INSERT INTO sanction (case_id, kind, person_id, institution_code, amount, note, decided_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [caseId, input.kind, personId, institutionCode, input.amount ?? null, input.note ?? null, actor.userId],
    );
    await insertTimelineEntry(m, {
      entity: 'Case',
      entityId: caseId,
      actorId: actor.userId,
      from: row.status,
      to: row.status,
      event: 'ADD_SANCTION',
      note: input.note ?? null,
      detail: { sanctionId: toGlobalId('Sanction', sanction.id), kind: input.kind, amount: input.amount ?? null },
    });
    return sanction;
  });
}

export async function addRectification(
  services: AppServices,
  actor: Actor,
  input: AddRectificationInput,
): Promise<RectificationRow> {
  const caseId = rowId(input.caseId, 'Case');
  const ownerDepartmentId = rowId(input.ownerDepartmentId, 'Department');
  const description = input.description.trim();
  if (!description) throw badInput('description must not be empty');
  if (input.deadline < shanghaiDate(new Date())) throw badInput('the deadline must not be in the past');
  const id = await services.db.transaction(async (m) => {
    const row = await findVisibleCase(m, actor, caseId, 'FOR SHARE');
    assertOwnerCaseWorker(actor, row.owner_department_id, 'issue rectification items');
    assertStateAllows(row, RECTIFICATION_STATES, 'rectification items are issued');
    const [department] = await m.query('SELECT 1 FROM department WHERE id = $1', [ownerDepartmentId]);
    if (!department) throw badInput('unknown owner department');
    const [item]: { id: string }[] = await m.query(
      `INSERT INTO rectification_item (case_id, description, owner_department_id, deadline)
       VALUES ($1, $2, $3, $4) RETURNING id`,
      [caseId, description, ownerDepartmentId, input.deadline],
    );
    await insertTimelineEntry(m, {
      entity: 'Case',
      entityId: caseId,
      actorId: actor.userId,
      from: row.status,
      to: row.status,
      event: 'ADD_RECTIFICATION',
      note: description,
      detail: { rectificationId: toGlobalId('RectificationItem', item.id), deadline: input.deadline },
    });
    return item.id;
  });
  return findVisibleRectification(services.db, actor, id);
}

/** A rectification item the actor may see (with its case, or as the rectifying department), or NOT_FOUND. */
export async function findVisibleRectification(db: Db, actor: Actor, id: string): Promise<RectificationRow> {
  const params = new SqlParams([id]);
  const rows: RectificationRow[] = await db.query(
    `SELECT ${RECTIFICATION_SELECT} FROM rectification_item r WHERE r.id = $1 AND ${rectificationVisibleSql(actor, params)}`,
    params.values,
  );
  if (!rows[0]) throw notFound('rectification item');
  return rows[0];
}

/** Visible sanctions by id (a sanction is visible with its case). */
export async function visibleSanctionsByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<SanctionRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT s.* FROM sanction s JOIN "case" k ON k.id = s.case_id
     WHERE s.id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}`,
    params.values,
  );
}

export async function completeRectification(
  services: AppServices,
  actor: Actor,
  itemGlobalId: string,
  note: string,
): Promise<RectificationRow> {
  const id = rowId(itemGlobalId, 'RectificationItem');
  if (!note.trim()) throw badInput('note must not be empty');
  await services.db.transaction(async (m) => {
    const item = await findVisibleRectification(m, actor, id);
    const [owner]: { owner_department_id: string; status: string }[] = await m.query(
      'SELECT owner_department_id, status FROM "case" WHERE id = $1',
      [item.case_id],
    );
    assertCanCompleteRectification(actor, {
      ownerDepartmentId: item.owner_department_id,
      caseOwnerDepartmentId: owner.owner_department_id,
    });
    // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE.
    const done = await m.query(
      `WITH done AS (
         UPDATE rectification_item SET status = 'DONE', completed_at = now(), completed_by = $2, note = $3
         WHERE id = $1 AND status = 'OPEN' RETURNING id
       ) SELECT id FROM done`,
      [id, actor.userId, note],
    );
    if (!done.length) {
      throw new AppError('INVALID_TRANSITION', 'RectificationItem is DONE (已整改) already', { currentState: 'DONE' });
    }
    await insertTimelineEntry(m, {
      entity: 'Case',
      entityId: item.case_id,
      actorId: actor.userId,
      from: owner.status,
      to: owner.status,
      event: 'COMPLETE_RECTIFICATION',
      note,
      detail: { rectificationId: toGlobalId('RectificationItem', id) },
    });
  });
  return findVisibleRectification(services.db, actor, id);
}

/**
 * Links two cases both ways (the relation reads the same from either side). The caller must
 * own the first and see the second; linking again with another kind changes the kind.
 */
export async function linkCases(
  services: AppServices,
  actor: Actor,
  caseGlobalId: string,
  otherGlobalId: string,
  kind: CaseRelationKind,
): Promise<CaseRow> {
  const id = rowId(caseGlobalId, 'Case');
  const otherId = rowId(otherGlobalId, 'Case');
  if (id === otherId) throw badInput('a case cannot be linked to itself');
  await services.db.transaction(async (m) => {
    const row = await findVisibleCase(m, actor, id);
    const other = await findVisibleCase(m, actor, otherId);
    assertOwnerCaseWorker(actor, row.owner_department_id, 'link cases');
    await m.query(
      `INSERT INTO case_relation (case_id, other_case_id, kind) VALUES ($1, $2, $3), ($2, $1, $3)
       ON CONFLICT (case_id, other_case_id) DO UPDATE SET kind = EXCLUDED.kind`,
      [id, otherId, kind],
    );
    for (const [from, to] of [
      [row, other],
      [other, row],
    ]) {
      await insertTimelineEntry(m, {
        entity: 'Case',
        entityId: from.id,
        actorId: actor.userId,
        from: from.status,
        to: from.status,
        event: 'LINK',
        detail: { kind, otherCaseId: toGlobalId('Case', to.id), otherCaseCode: to.code },
      });
    }
  });
  return findVisibleCase(services.db, actor, id);
}
