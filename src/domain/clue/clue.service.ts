/**
 * Clues (线索): registration, reading under the visibility policy, and the verification
 * transitions. Creation is shared by registration and the collision (hits → clues): both
 * insert through `insertClues` (clue.repository.ts); every new clue is handed to routing
 * through the outbox, in the same transaction.
 */
import { inTransaction } from '../../db/transaction';
import { DataSource, EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { OUTBOX_TOPICS, enqueueOutboxMany } from '../../outbox/outbox';
import { Actor, assertCanRegisterClue, partiesOf } from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent, EventRequest, recordCreation } from '../../workflow/transition';
import { hitVerificationMachine } from '../collision/hit-verification.machine';
import { clueMachine, ClueEvent, ClueEventInput } from './clue.machine';
import * as clues from './clue.repository';
import { ClueRow } from './clue.repository';
import { ClueFilter, ClueSource, REGISTRABLE_SOURCES, RegisterClueInput } from './clue.types';

export { CLUE_SELECT, copiesByClueIds, personsByClueIds, visibleCluesByIds } from './clue.repository';

export const clueParties = (actor: Actor | null, clue: ClueRow) =>
  partiesOf(actor, {
    ownerDepartmentId: clue.owner_department_id,
    receiverDepartmentId: clue.pending_transfer_to ?? null,
  });

export const clueAllowedEvents = (actor: Actor, clue: ClueRow): ClueEvent[] =>
  allowedEvents(clueMachine, clue.status, clueParties(actor, clue));

type Db = DataSource | EntityManager;

/** A clue the actor may see, or NOT_FOUND (also when it exists but is not visible). */
export async function findVisibleClue(db: Db, actor: Actor, clueId: string): Promise<ClueRow> {
  const [row] = await clues.visibleCluesByIds(db, actor, [clueId]);
  if (!row) throw notFound('clue');
  return row;
}

export function listClues(
  services: AppServices,
  actor: Actor,
  filter: ClueFilter | null | undefined,
  first: number,
  after: string | null | undefined,
  count = true,
): Promise<Connection<ClueRow>> {
  return clues.pageClues(
    services.db,
    actor,
    {
      ...filter,
      ownerDepartmentId: optionalRowId(filter?.ownerDepartmentId, 'Department'),
      campaignId: optionalRowId(filter?.campaignId, 'Campaign'),
    },
    first,
    after,
    count,
  );
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

/**
 * Inserts a NEW clue with its persons and its first timeline entry (REGISTER). Audited here
 * when a user registers it (`actor`); the system's creations are audited by their batch.
 */
export async function createClue(m: EntityManager, clue: NewClue, actor: Actor | null = null): Promise<ClueRow> {
  const [row] = await clues.insertClues(m, [
    {
      title: clue.title,
      description: clue.description,
      source: clue.source,
      model: clue.model ?? null,
      institution_code: clue.institutionCode ?? null,
      region_code: clue.regionCode,
      amount_involved: clue.amountInvolved,
      created_by: clue.createdBy ?? actor?.userId ?? null,
    },
  ]);
  await clues.insertCluePersons(m, row.id, {
    subjects: clue.subjectPersonIds ?? [],
    evidence: clue.evidencePersonIds ?? [],
  });
  await recordCreation(m, clueMachine, { id: row.id, event: 'REGISTER', actor, audit: actor !== null });
  return row;
}

/** Hands new clues to routing; the outbox relay moves them to the routing queue. */
export const enqueueRoutingMany = (m: EntityManager, clueIds: readonly string[]) =>
  enqueueOutboxMany(
    m,
    OUTBOX_TOPICS.routeClue,
    clueIds.map((clueId) => ({ dedupeKey: `route-clue:${clueId}`, payload: { clueId } })),
  );

export async function registerClue(services: AppServices, actor: Actor, input: RegisterClueInput): Promise<ClueRow> {
  assertCanRegisterClue(actor);
  if (!REGISTRABLE_SOURCES.includes(input.source)) {
    throw badInput(
      `source ${input.source} is set by the system; register with one of ${REGISTRABLE_SOURCES.join(', ')}`,
    );
  }
  if (!input.title.trim()) throw badInput('title must not be empty');
  const amount = input.amountInvolved ?? '0.00';
  if (amount.startsWith('-')) throw badInput('amountInvolved must not be negative');
  let regionCode = actor.department.regionCode;
  if (input.institutionCode) {
    const institutionRegion = await clues.institutionRegionCode(services.db, input.institutionCode);
    if (!institutionRegion) throw badInput(`unknown institution ${input.institutionCode}`);
    regionCode = institutionRegion;
  }
  const personIds = [...new Set(input.personIds ?? [])];
  if (personIds.length) {
    const found = new Set(await clues.knownPersonIds(services.db, personIds));
    const missing = personIds.filter((id) => !found.has(id));
    if (missing.length) throw badInput(`unknown persons ${missing.join(', ')}`);
  }
  const created = await inTransaction(services.db, async (m) => {
    const row = await createClue(
      m,
      {
        title: input.title.trim(),
        description: input.description,
        source: input.source,
        institutionCode: input.institutionCode,
        regionCode,
        amountInvolved: amount,
        subjectPersonIds: personIds,
      },
      actor,
    );
    await enqueueRoutingMany(m, [row.id]);
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
  options: {
    expectedVersion?: number | null;
    set?: EventRequest<ClueEvent, unknown, ClueRow>['set'];
    note?: string | null;
    /** What the event's guard reads, computed in the transaction once the clue is read. */
    input?: (m: EntityManager, clue: ClueRow) => Promise<ClueEventInput>;
  } = {},
): Promise<ClueRow> {
  await inTransaction(services.db, async (m) => {
    const clue = await findVisibleClue(m, actor, clueId);
    await applyEvent(m, clueMachine, clue, {
      event,
      actor,
      parties: clueParties(actor, clue),
      expectedVersion: options.expectedVersion,
      input: options.input ? await options.input(m, clue) : {},
      set: options.set,
      note: options.note,
    });
  });
  return findVisibleClue(services.db, actor, clueId);
}

export function startVerification(
  services: AppServices,
  actor: Actor,
  clueId: string,
  expectedVersion?: number | null,
) {
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
  return transitionClue(
    services,
    actor,
    clueId,
    substantiated ? 'CONCLUDE_SUBSTANTIATED' : 'CONCLUDE_UNSUBSTANTIATED',
    {
      expectedVersion,
      set: { findings },
      note: findings,
      // 疑点核查 first: the verdict's guard refuses while any of the clue's hits is PENDING.
      input: async (m, clue) => ({
        pendingHits: await clues.pendingHitCount(m, clue.id, hitVerificationMachine.creation.DETECT.to),
      }),
    },
  );
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
