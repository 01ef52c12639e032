/**
 * Clues (线索): registration, reading under the visibility policy, and the verification
 * transitions. Creation is shared by registration and the collision (hits → clues); every
 * new clue is handed to routing through the outbox, in the same transaction.
 */
import { SqlParams } from '../../core/sql';
import { codePrefix } from '../../core/regions';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { Connection, paginate } from '../../core/pagination';
import { fromGlobalId } from '../../core/ids';
import { OUTBOX_TOPICS, enqueueOutbox } from '../../outbox/outbox';
import { Actor, assertCanRegisterClue, clueVisibleSql, partiesOf } from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent } from '../../workflow/transition';
import { insertTimelineEntry } from '../../workflow/timeline.repository';
import { appendAudit } from '../audit/audit.service';
import { toGlobalId } from '../../core/ids';
import { clueMachine, ClueEvent } from './clue.machine';
import { ClueFilter, ClueRow, ClueSource, REGISTRABLE_SOURCES, RegisterClueInput } from './clue.types';

/** The clue columns every read selects, with the pending transfer's receiver for the machine. */
export const CLUE_SELECT = `c.*, (SELECT t.to_department_id FROM clue_transfer t WHERE t.clue_id = c.id AND t.status = 'PENDING') AS pending_transfer_to`;

export const clueParties = (actor: Actor | null, clue: ClueRow) =>
  partiesOf(actor, { ownerDepartmentId: clue.owner_department_id, receiverDepartmentId: clue.pending_transfer_to ?? null });

export const clueAllowedEvents = (actor: Actor, clue: ClueRow): ClueEvent[] =>
  allowedEvents(clueMachine, clue.status, clueParties(actor, clue));

type Db = AppServices['db'] | EntityManager;

/** A clue the actor may see, or NOT_FOUND (also when it exists but is not visible). */
export async function findVisibleClue(db: Db, actor: Actor, clueId: string): Promise<ClueRow> {
  const [row] = await visibleCluesByIds(db, actor, [clueId]);
  if (!row) throw notFound('clue');
  return row;
}

/** Visible clues by id, for batch loading (ids not visible are absent). */
export function visibleCluesByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<ClueRow[]> {
  const params = new SqlParams([ids]);
  return db.query(`SELECT ${CLUE_SELECT} FROM clue c WHERE c.id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params)}`, params.values);
}

/** The persons of clues: subjects first, then persons of the evidence. */
export function personsByClueIds(
  db: Db,
  clueIds: readonly string[],
): Promise<{ clue_id: string; person_id: string }[]> {
  return db.query(
    'SELECT clue_id, person_id FROM clue_person WHERE clue_id = ANY($1::uuid[]) ORDER BY clue_id, role DESC, person_id',
    [clueIds],
  );
}

/** 抄送: the departments clues are copied to, in the order they were copied. */
export function copiesByClueIds(
  db: Db,
  clueIds: readonly string[],
): Promise<{ clue_id: string; department_id: string }[]> {
  return db.query(
    'SELECT clue_id, department_id FROM clue_copy WHERE clue_id = ANY($1::uuid[]) ORDER BY clue_id, copied_at',
    [clueIds],
  );
}

export async function listClues(
  services: AppServices,
  actor: Actor,
  filter: ClueFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<ClueRow>> {
  const params = new SqlParams();
  const where = [clueVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter?.status?.length) where.push(`c.status = ANY(${p(filter.status)})`);
  if (filter?.source) where.push(`c.source = ${p(filter.source)}`);
  if (filter?.model) where.push(`c.model = ${p(filter.model)}`);
  if (filter?.ownerDepartmentId) where.push(`c.owner_department_id = ${p(fromGlobalId(filter.ownerDepartmentId, 'Department').id)}`);
  if (filter?.regionCode) where.push(`c.region_code LIKE ${p(`${codePrefix(filter.regionCode)}%`)}`);
  if (filter?.institutionCode) where.push(`c.institution_code = ${p(filter.institutionCode)}`);
  if (filter?.minAmount) where.push(`c.amount_involved >= ${p(filter.minAmount)}::numeric`);
  if (filter?.createdFrom) where.push(`c.created_at >= ${p(filter.createdFrom)}::date::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  if (filter?.createdTo) where.push(`c.created_at < (${p(filter.createdTo)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`);
  return paginate<ClueRow & { created_us: string }, ClueRow>({
    query: (sql, ps) => services.db.query(sql, ps),
    from: `(SELECT ${CLUE_SELECT}, (extract(epoch FROM c.created_at) * 1000000)::bigint AS created_us FROM clue c) c`,
    where,
    params,
    orderBy: [
      { column: 'c.created_us', key: 'created_us' },
      { column: 'c.id', key: 'id' },
    ],
    descending: true,
    first,
    after,
    map: (row) => row,
  });
}

export interface NewClue {
  title: string;
  description: string;
  source: ClueSource;
  model?: string | null;
  institutionCode?: string | null;
  regionCode: string;
  amountInvolved: string;
  subjectPersonIds?: string[];
  evidencePersonIds?: string[];
  createdBy?: string | null;
}

/** Inserts a NEW clue with its persons, its first timeline entry and its routing job. */
export async function createClue(m: EntityManager, clue: NewClue): Promise<ClueRow> {
  const [row]: ClueRow[] = await m.query(
    `INSERT INTO clue (code, title, description, source, status, model, institution_code, region_code, amount_involved, created_by)
     VALUES ('XS' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY') || '-' || lpad(nextval('clue_code_seq')::text, 6, '0'),
             $1, $2, $3, 'NEW', $4, $5, $6, $7, $8)
     RETURNING *`,
    [clue.title, clue.description, clue.source, clue.model ?? null, clue.institutionCode ?? null, clue.regionCode, clue.amountInvolved, clue.createdBy ?? null],
  );
  await m.query(
    `INSERT INTO clue_person (clue_id, person_id, role)
     SELECT $1::uuid, p, 'SUBJECT' FROM unnest($2::text[]) p
     UNION SELECT $1::uuid, p, 'EVIDENCE' FROM unnest($3::text[]) p WHERE p <> ALL($2::text[])
     ON CONFLICT DO NOTHING`,
    [row.id, clue.subjectPersonIds ?? [], clue.evidencePersonIds ?? []],
  );
  await insertTimelineEntry(m, { entity: 'Clue', entityId: row.id, actorId: clue.createdBy ?? null, from: null, to: 'NEW', event: 'REGISTER' });
  return row;
}

/** Hands a new clue to routing; the outbox relay moves it to the routing queue. */
export const enqueueRouting = (m: EntityManager, clueId: string) =>
  enqueueOutbox(m, OUTBOX_TOPICS.routeClue, `route-clue:${clueId}`, { clueId });

export async function registerClue(services: AppServices, actor: Actor, input: RegisterClueInput): Promise<ClueRow> {
  assertCanRegisterClue(actor);
  if (!REGISTRABLE_SOURCES.includes(input.source)) {
    throw badInput(`source ${input.source} is set by the system; register with one of ${REGISTRABLE_SOURCES.join(', ')}`);
  }
  if (!input.title.trim()) throw badInput('title must not be empty');
  const amount = input.amountInvolved ?? '0.00';
  if (amount.startsWith('-')) throw badInput('amountInvolved must not be negative');
  let regionCode = actor.department.regionCode;
  if (input.institutionCode) {
    const [institution] = await services.db.query('SELECT region_code FROM institution WHERE code = $1', [input.institutionCode]);
    if (!institution) throw badInput(`unknown institution ${input.institutionCode}`);
    regionCode = institution.region_code;
  }
  const personIds = [...new Set(input.personIds ?? [])];
  if (personIds.length) {
    const found: { person_id: string }[] = await services.db.query('SELECT person_id FROM person WHERE person_id = ANY($1)', [personIds]);
    const missing = personIds.filter((id) => !found.some((f) => f.person_id === id));
    if (missing.length) throw badInput(`unknown persons ${missing.join(', ')}`);
  }
  const created = await services.db.transaction(async (m) => {
    const row = await createClue(m, {
      title: input.title.trim(),
      description: input.description,
      source: input.source,
      institutionCode: input.institutionCode,
      regionCode,
      amountInvolved: amount,
      subjectPersonIds: personIds,
      createdBy: actor.userId,
    });
    await enqueueRouting(m, row.id);
    await appendAudit(m, { actorId: actor.userId, action: 'Clue.REGISTER', targetType: 'Clue', targetId: toGlobalId('Clue', row.id) });
    return row;
  });
  return findVisibleClue(services.db, actor, created.id);
}

/** Runs one clue transition for an actor, in its own transaction, and returns the fresh clue. */
export async function transitionClue(
  services: AppServices,
  actor: Actor,
  clueId: string,
  event: ClueEvent,
  options: { expectedVersion?: number | null; set?: Record<string, unknown>; note?: string | null } = {},
): Promise<ClueRow> {
  await services.db.transaction(async (m) => {
    const clue = await findVisibleClue(m, actor, clueId);
    await applyEvent(m, clueMachine, clue, {
      event,
      actor,
      parties: clueParties(actor, clue),
      expectedVersion: options.expectedVersion,
      input: {},
      set: options.set,
      note: options.note,
    });
  });
  return findVisibleClue(services.db, actor, clueId);
}

export function startVerification(services: AppServices, actor: Actor, clueId: string, expectedVersion?: number | null) {
  return transitionClue(services, actor, clueId, 'START_VERIFICATION', { expectedVersion });
}

export function concludeVerification(
  services: AppServices,
  actor: Actor,
  clueId: string,
  substantiated: boolean,
  findings: string,
  expectedVersion?: number | null,
) {
  if (!findings.trim()) throw badInput('findings must not be empty');
  return transitionClue(services, actor, clueId, substantiated ? 'CONCLUDE_SUBSTANTIATED' : 'CONCLUDE_UNSUBSTANTIATED', {
    expectedVersion,
    set: { findings },
    note: findings,
  });
}

export function closeClue(
  services: AppServices,
  actor: Actor,
  clueId: string,
  disposition: string,
  recoveredAmount: string | null | undefined,
  expectedVersion?: number | null,
) {
  if (!disposition.trim()) throw badInput('disposition must not be empty');
  if (recoveredAmount?.startsWith('-')) throw badInput('recoveredAmount must not be negative');
  return transitionClue(services, actor, clueId, 'CLOSE', {
    expectedVersion,
    set: { disposition, recovered_amount: recoveredAmount ?? null, closed_at: new Date() },
    note: disposition,
  });
}
