/**
 * What the access matrices share (test/integration/access-matrix*.test.ts): the agencies,
 * roles and regions of the seed, PRODUCT.md §6's rule for clues written as code
 * (clueOutcome), fixtures that build a clue from its facts, and a session that calls the API as
 * any seed user and remembers every FORBIDDEN so that its audit entry can be checked.
 *
 * The expectations here are derived from PRODUCT.md §6 and docs/WORKFLOWS.md, never from
 * src/policy: the matrices exist to catch the two disagreeing.
 */
import { toGlobalId } from '../../src/core/ids';
import { GraphQLResponse, TestApi } from './harness';
import { AsUser, asUsers, code } from './client';
import { departmentIdOf, insertClue } from './workflow-fixtures';

export type Kind = 'MEDICAL_INSURANCE' | 'HEALTH' | 'PUBLIC_SECURITY' | 'DISCIPLINE';
export type Role = 'INVESTIGATOR' | 'SUPERVISOR' | 'LEADER' | 'ANALYST' | 'ADMIN';
export interface Dept {
  kind: Kind;
  region: string;
}
export interface Actor extends Dept {
  role: Role;
}

export const KINDS: Kind[] = ['MEDICAL_INSURANCE', 'HEALTH', 'PUBLIC_SECURITY', 'DISCIPLINE'];
export const ROLES: Role[] = ['INVESTIGATOR', 'SUPERVISOR', 'LEADER', 'ANALYST', 'ADMIN'];
/** Those who change clues and cases: investigators, section heads, leaders. */
export const CASE_WORKERS: Role[] = ['INVESTIGATOR', 'SUPERVISOR', 'LEADER'];
export const PREFIX: Record<Kind, string> = {
  MEDICAL_INSURANCE: 'yb',
  HEALTH: 'wj',
  PUBLIC_SECURITY: 'ga',
  DISCIPLINE: 'jw',
};
export const LABEL: Record<Kind, string> = {
  MEDICAL_INSURANCE: '医保',
  HEALTH: '卫健',
  PUBLIC_SECURITY: '公安',
  DISCIPLINE: '纪委',
};

/** Another agency than `k`, for relations that need two. */
export const OTHER: Record<Kind, Kind> = {
  MEDICAL_INSURANCE: 'HEALTH',
  HEALTH: 'PUBLIC_SECURITY',
  PUBLIC_SECURITY: 'MEDICAL_INSURANCE',
  DISCIPLINE: 'MEDICAL_INSURANCE',
};
/** A third agency, neither `k` nor OTHER[k], for relations that need three. */
export const THIRD: Record<Kind, Kind> = {
  MEDICAL_INSURANCE: 'PUBLIC_SECURITY',
  HEALTH: 'MEDICAL_INSURANCE',
  PUBLIC_SECURITY: 'HEALTH',
  DISCIPLINE: 'HEALTH',
};

export const COUNTY = '610302'; // 渭滨区
export const CITY = '610300'; // 宝鸡市, above it
export const NEIGHBOUR = '610303'; // 金台区, same city
export const FAR = '610402'; // 秦都区, another city
/** 渭城区 (咸阳): no actor of the matrices sits in or above it. */
export const ELSEWHERE = '610404';

/** A region's jurisdiction is itself and everything below it (610000 ⊃ 610300 ⊃ 610302). */
export const covers = (actorRegion: string, region: string): boolean => {
  const prefix = actorRegion.endsWith('0000')
    ? actorRegion.slice(0, 2)
    : actorRegion.endsWith('00')
      ? actorRegion.slice(0, 4)
      : actorRegion;
  return region.startsWith(prefix);
};
export const same = (a: Dept, b: Dept | undefined): boolean => !!b && a.kind === b.kind && a.region === b.region;
export const isCaseWorker = (a: Actor): boolean => CASE_WORKERS.includes(a.role);

/** What is true of a clue, independent of who asks. */
export interface ClueFacts {
  owner: Dept;
  clueRegion: string;
  transfer?: { from: Dept; to: Dept; status: 'PENDING' | 'ACCEPTED' };
  copiedTo?: Dept;
}

/** CHANGE: sees it and may change it; READ: sees it only; NONE: does not see it. */
export type Outcome = 'CHANGE' | 'READ' | 'NONE';

/**
 * PRODUCT.md §6 for a clue, as code: a department sees the clues it owns, those of departments
 * of the same kind inside its jurisdiction, those it sent or received by transfer, those copied
 * to it; 纪委 reads everything inside its jurisdiction; police have no rule of their own;
 * ADMINs read no case content; only the owner's case workers change it.
 */
export function clueOutcome(actor: Actor, clue: ClueFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const owns = same(actor, clue.owner);
  const sameKindBelow = clue.owner.kind === actor.kind && covers(actor.region, clue.owner.region);
  const sentOrReceived = !!clue.transfer && (same(actor, clue.transfer.from) || same(actor, clue.transfer.to));
  const copied = same(actor, clue.copiedTo);
  const disciplineReads = actor.kind === 'DISCIPLINE' && covers(actor.region, clue.clueRegion);
  if (!(owns || sameKindBelow || sentOrReceived || copied || disciplineReads)) return 'NONE';
  return owns && isCaseWorker(actor) ? 'CHANGE' : 'READ';
}

/** What a mutation answers: OK, or the error code. */
export type Code = 'OK' | 'FORBIDDEN' | 'NOT_FOUND';

/** A change by someone who may change it succeeds; by a reader is FORBIDDEN; unseen is NOT_FOUND. */
export const codeFor = (outcome: Outcome): Code =>
  outcome === 'CHANGE' ? 'OK' : outcome === 'READ' ? 'FORBIDDEN' : 'NOT_FOUND';

/**
 * createSupervisionItem: only LEADERs (FORBIDDEN for anyone else, whatever the target, so
 * nothing leaks), over a target the leader's department sees (NOT_FOUND otherwise).
 */
export const createSupervisionCode = (actor: Actor, seesTarget: boolean): Code =>
  actor.role !== 'LEADER' ? 'FORBIDDEN' : seesTarget ? 'OK' : 'NOT_FOUND';

/**
 * createSupervisionItem with kind DESIGNATED_JURISDICTION (指定管辖) also moves the target to the
 * assigned department: a change of the target, so beyond the above it needs a leader of the
 * target's owner or of a department of the same kind above the owner (上级). A leader who only
 * reads the target (纪委 over another agency — read-only unless it owns it —, a transfer's other
 * party, a department it was copied to) is FORBIDDEN. `owner`: the clue's or case's owner; for a
 * pending transfer, its sender (who owns the clue until the transfer is accepted).
 */
export const designateCode = (actor: Actor, owner: Dept, seesTarget: boolean): Code => {
  const create = createSupervisionCode(actor, seesTarget);
  if (create !== 'OK') return create;
  return actor.kind === owner.kind && covers(actor.region, owner.region) ? 'OK' : 'FORBIDDEN';
};

export const username = (a: Actor): string => `${PREFIX[a.kind]}-${a.region}-${a.role.toLowerCase()}`;

/** A department's global id. */
export const departmentGid = async (t: TestApi, d: Dept): Promise<string> =>
  toGlobalId('Department', await departmentIdOf(t.services, d.kind, d.region));

/**
 * Inserts a clue with the given facts in the given state (for a pending transfer: the state it
 * had before the request, the clue itself being TRANSFER_PENDING). Returns row ids.
 */
export async function insertClueWithFacts(
  t: TestApi,
  facts: ClueFacts,
  state: string,
): Promise<{ clueId: string; transferId?: string }> {
  const clueId = await insertClue(t.services, {
    ownerKind: facts.owner.kind,
    ownerRegion: facts.owner.region,
    regionCode: facts.clueRegion,
    status: state,
  });
  let transferId: string | undefined;
  if (facts.transfer) {
    const { from, to, status } = facts.transfer;
    const before = ['ASSIGNED', 'VERIFYING', 'SUBSTANTIATED'].includes(state) ? state : 'ASSIGNED';
    const [fromId, toId] = [
      await departmentIdOf(t.services, from.kind, from.region),
      await departmentIdOf(t.services, to.kind, to.region),
    ];
    const [row] = await t.services.db.query(
      `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, accept_deadline,
                                  feedback_deadline, responded_at, clue_status_before)
       SELECT $1, $2, $3, '矩阵移送', $4::text, u.id, now() + interval '5 days',
              CASE WHEN $4::text = 'ACCEPTED' THEN now() + interval '30 days' END, CASE WHEN $4::text = 'ACCEPTED' THEN now() END, $5
       FROM app_user u WHERE u.department_id = $2 AND 'INVESTIGATOR' = ANY(u.roles) LIMIT 1
       RETURNING id`,
      [clueId, fromId, toId, status, before],
    );
    transferId = row.id;
    // Pending: the clue waits for the receiver; accepted: the receiver already owns it (facts.owner).
    if (status === 'PENDING') {
      await t.services.db.query(
        `UPDATE clue SET status = 'TRANSFER_PENDING', status_before_transfer = $2 WHERE id = $1`,
        [clueId, before],
      );
    }
  }
  if (facts.copiedTo) {
    await t.services.db.query(`INSERT INTO clue_copy (clue_id, department_id, reason) VALUES ($1, $2, '抄送')`, [
      clueId,
      await departmentIdOf(t.services, facts.copiedTo.kind, facts.copiedTo.region),
    ]);
  }
  return { clueId, transferId };
}

/** One mutation of a row: what it answered, with the message when it was not what §6 wants. */
export interface MutationResult {
  mutation: string;
  result: string;
  message?: string;
}

/**
 * Calls the API as seed users (tokens signed once per user), lists connections once per user,
 * and notes every FORBIDDEN so that unauditedDenials() can check the audit log.
 */
export class MatrixSession {
  private readonly asUser: AsUser;
  private readonly lists = new Map<string, Promise<Set<string>>>();
  private readonly forbidden: { username: string; field: string; targetId: string }[] = [];

  constructor(readonly t: TestApi) {
    this.asUser = asUsers(t);
  }

  gql(actor: Actor, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
    return this.asUser(username(actor), query, variables);
  }

  /** Every id that the connection `field` (clues, cases, transfers, …) returns to the actor, all pages; fetched once. */
  list(actor: Actor, field: string): Promise<Set<string>> {
    const key = `${username(actor)}|${field}`;
    if (!this.lists.has(key)) {
      this.lists.set(
        key,
        (async () => {
          const ids = new Set<string>();
          let after: string | null = null;
          for (;;) {
            const res = await this.gql(
              actor,
              `query($after: String) { ${field}(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
              { after },
            );
            if (res.errors) throw new Error(`${field} for ${username(actor)}: ${JSON.stringify(res.errors)}`);
            for (const e of res.data[field].edges) ids.add(e.node.id);
            if (!res.data[field].pageInfo.hasNextPage) return ids;
            after = res.data[field].pageInfo.endCursor;
          }
        })(),
      );
    }
    return this.lists.get(key)!;
  }

  /**
   * Runs mutation `field` as the actor against `targetId` (a global id that appears in the
   * variables) and compares the answer with `want`; `label` names the result (default: field).
   */
  async mutate(
    actor: Actor,
    field: string,
    query: string,
    variables: Record<string, unknown>,
    targetId: string,
    want: Code,
    label = field,
  ): Promise<MutationResult> {
    const res = await this.gql(actor, query, variables);
    const got = res.errors ? String(code(res)) : 'OK';
    if (got === 'FORBIDDEN') this.forbidden.push({ username: username(actor), field: `Mutation.${field}`, targetId });
    return {
      mutation: label,
      result: got,
      message: got === want ? undefined : (res.errors?.[0]?.message ?? 'succeeded'),
    };
  }

  /** How many FORBIDDENs were answered so far. */
  get denials(): number {
    return this.forbidden.length;
  }

  /** The FORBIDDENs answered so far that have no `denied` audit entry of that user, field and target. */
  async unauditedDenials(): Promise<{ username: string; field: string; targetId: string }[]> {
    const denied: { username: string; field: string; args: unknown }[] = await this.t.services.db.query(
      `SELECT u.username, a.detail->>'field' AS field, a.detail->'args' AS args
       FROM audit_log a JOIN app_user u ON u.id = a.actor_id WHERE a.action = 'denied'`,
    );
    const audited = new Map<string, string[]>();
    for (const d of denied) {
      const key = `${d.username}|${d.field}`;
      audited.set(key, [...(audited.get(key) ?? []), JSON.stringify(d.args)]);
    }
    return this.forbidden.filter(
      (f) => !(audited.get(`${f.username}|${f.field}`) ?? []).some((args) => args.includes(f.targetId)),
    );
  }
}

/**
 * The rows of a matrix: every relation × agency × role, with the expected outcome of reading
 * and each mutation's expected result for that actor and those facts.
 */
export function matrixRows<R extends { actorRegion: string; facts: (kind: Kind) => F }, F, O, W>(
  relations: readonly R[],
  outcomeOf: (actor: Actor, facts: F) => O,
  mutations: readonly { name: string; want: (actor: Actor, facts: F) => W }[],
) {
  return relations.flatMap((relation) =>
    KINDS.flatMap((kind) =>
      ROLES.map((role) => {
        const actor: Actor = { kind, region: relation.actorRegion, role };
        const facts = relation.facts(kind);
        return {
          relation,
          actor,
          facts,
          outcome: outcomeOf(actor, facts),
          wants: mutations.map((m) => ({ mutation: m.name, result: m.want(actor, facts), message: undefined })),
        };
      }),
    ),
  );
}

/** Who a row's actor is, in test names. */
export const who = (actor: Actor): string => `${LABEL[actor.kind]} ${actor.role}`;

/**
 * The matrix has a row per relation × agency × role, and each mutation answers OK, FORBIDDEN
 * and NOT_FOUND in some row (so no answer is left untested).
 */
export function expectCompleteMatrix(
  rows: readonly object[],
  relations: readonly unknown[],
  mutations: readonly { name: string }[] = [],
): void {
  expect(rows).toHaveLength(ROLES.length * KINDS.length * relations.length);
  const wants = rows as readonly { wants: readonly { mutation: string; result: unknown }[] }[];
  for (const m of mutations) {
    const answers = new Set(wants.map((r) => r.wants.find((w) => w.mutation === m.name)!.result));
    expect({ mutation: m.name, answers: [...answers].sort() }).toEqual({
      mutation: m.name,
      answers: ['FORBIDDEN', 'NOT_FOUND', 'OK'],
    });
  }
}

// ---------------------------------------------------------------------------------------
// Administration (issue 13 item 4) and the person search by ID number (item 3), §6: ADMINs
// manage users (and settings) but read no case content; full personal data is for those
// allowed to see it, and every read is audited.
// ---------------------------------------------------------------------------------------

/**
 * deactivateUser, reactivateUser, updateUser, resetPassword: an ADMIN whose jurisdiction covers
 * the user's department (OK); another ADMIN does not see the user (NOT_FOUND); anyone else is
 * FORBIDDEN whatever the user, so nothing about users leaks.
 */
export const userAdminCode = (actor: Actor, userRegion: string): Code =>
  actor.role !== 'ADMIN' ? 'FORBIDDEN' : covers(actor.region, userRegion) ? 'OK' : 'NOT_FOUND';

/** Region settings and model parameters: ADMINs, for a region inside their jurisdiction; FORBIDDEN otherwise. */
export const settingsCode = (actor: Actor, region: string): 'OK' | 'FORBIDDEN' =>
  actor.role === 'ADMIN' && covers(actor.region, region) ? 'OK' : 'FORBIDDEN';

/**
 * personByIdNumber: case workers (who may read full personal data) of the agencies that look
 * persons up — 医保, 卫健, 纪委; police see only what reaches them by transfer — find a person
 * inside their jurisdiction (FOUND), not outside it (NULL); anyone else is FORBIDDEN.
 */
export const idSearchOutcome = (actor: Actor, personRegion: string): 'FOUND' | 'NULL' | 'FORBIDDEN' =>
  !isCaseWorker(actor) || actor.kind === 'PUBLIC_SECURITY'
    ? 'FORBIDDEN'
    : covers(actor.region, personRegion)
      ? 'FOUND'
      : 'NULL';
