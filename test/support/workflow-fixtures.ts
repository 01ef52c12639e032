/** Reference rows the workflow tests share: institutions and persons in 宝鸡 (610300). */
import { AppServices } from '../../src/app';
import { signAccessToken } from '../../src/domain/auth/jwt';
import { createClue, NewClue } from '../../src/domain/clue/clue.service';
import { routeClue } from '../../src/domain/routing/routing.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { TEST_PASSWORD } from './harness';

export async function seedWorkflowFixtures(services: AppServices): Promise<void> {
  await seedRegions(services);
  await seedDepartmentsAndUsers(services, TEST_PASSWORD);
  await services.db.query(`
    INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES
      ('H610302001', '渭滨区人民医院', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610302'),
      ('H610303001', '金台区中医医院', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610303'),
      ('Y610402001', '秦都区康民大药房', 'PHARMACY', 'NONE', 'PRIVATE', '610402')`);
  await services.db.query(`
    INSERT INTO person (person_id, name, region_code, is_public_official) VALUES
      ('P1', '公职人员甲', '610302', true), ('P2', '参保人乙', '610302', false),
      ('P3', '参保人丙', '610302', false), ('P4', '参保人丁', '610303', false)`);
}

/** A clue created as the collision or registration would, not yet routed. */
export function newClue(services: AppServices, overrides: Partial<NewClue> = {}) {
  return services.db.transaction((m) =>
    createClue(m, {
      title: '测试线索',
      description: '',
      source: 'DATA_COLLISION',
      model: 'OVER_PRICE',
      institutionCode: 'H610302001',
      regionCode: '610302',
      amountInvolved: '1000.00',
      ...overrides,
    }),
  );
}

export const departmentIdOf = async (services: AppServices, kind: string, region: string): Promise<string> =>
  (await services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [kind, region]))[0].id;

export const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

// ---------------------------------------------------------------------------------------
// Helpers of the clue / transfer / access / subscription tests.
// ---------------------------------------------------------------------------------------

/** A NEW clue routed at once by the real routing service; returns its row id. */
export async function routedClue(services: AppServices, overrides: Partial<NewClue> = {}): Promise<string> {
  const clue = await newClue(services, overrides);
  await routeClue(services, clue.id);
  return clue.id;
}

export const userIdOf = async (services: AppServices, username: string): Promise<string> => {
  const [row] = await services.db.query('SELECT id FROM app_user WHERE username = $1', [username]);
  if (!row) throw new Error(`no user ${username}`);
  return row.id;
};

/**
 * Access tokens signed directly (as login would issue them), so that tests acting as dozens
 * of users do not pay for scrypt and the login throttle. Cached per services instance.
 */
export function tokenSource(services: AppServices): (username: string) => Promise<string> {
  const cache = new Map<string, string>();
  return async (username) => {
    const cached = cache.get(username);
    if (cached) return cached;
    const token = signAccessToken(services.config.jwt, await userIdOf(services, username)).token;
    cache.set(username, token);
    return token;
  };
}

let insertedClues = 0;

/**
 * A clue inserted directly in a given state and owner (no routing, no timeline), for tests
 * about who may see and change what rather than about how it got there.
 */
export async function insertClue(
  services: AppServices,
  c: {
    ownerKind: string;
    ownerRegion: string;
    status?: string;
    regionCode?: string;
    amount?: string;
    model?: string | null;
    title?: string;
  },
): Promise<string> {
  insertedClues += 1;
  const [row] = await services.db.query(
    `INSERT INTO clue (code, title, source, status, model, region_code, amount_involved, owner_department_id)
     VALUES ($1, $2, 'INSPECTION', $3, $4, $5, $6, (SELECT id FROM department WHERE kind = $7 AND region_code = $8)) RETURNING id`,
    [
      `XS-FIX-${process.pid}-${insertedClues}`,
      c.title ?? `夹具线索${insertedClues}`,
      c.status ?? 'ASSIGNED',
      c.model ?? null,
      c.regionCode ?? c.ownerRegion,
      c.amount ?? '1000.00',
      c.ownerKind,
      c.ownerRegion,
    ],
  );
  return row.id;
}

/** A transfer row inserted directly (PENDING moves the clue to TRANSFER_PENDING; ACCEPTED moves its ownership). */
export async function insertTransfer(
  services: AppServices,
  clueId: string,
  from: { kind: string; region: string },
  to: { kind: string; region: string },
  status: 'PENDING' | 'ACCEPTED',
): Promise<string> {
  const fromId = await departmentIdOf(services, from.kind, from.region);
  const toId = await departmentIdOf(services, to.kind, to.region);
  const [{ id: requestedBy }] = await services.db.query(
    `SELECT id FROM app_user WHERE department_id = $1 AND 'INVESTIGATOR' = ANY(roles) LIMIT 1`,
    [fromId],
  );
  const [clue] = await services.db.query('SELECT status FROM clue WHERE id = $1', [clueId]);
  const [row] = await services.db.query(
    `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, accept_deadline,
                                feedback_deadline, responded_at, clue_status_before)
     VALUES ($1, $2, $3, '夹具移送', $4::text, $5, now() + interval '5 days',
             CASE WHEN $4::text = 'ACCEPTED' THEN now() + interval '30 days' END, CASE WHEN $4::text = 'ACCEPTED' THEN now() END, $6)
     RETURNING id`,
    [clueId, fromId, toId, status, requestedBy, clue.status],
  );
  if (status === 'PENDING') {
    await services.db.query(
      `UPDATE clue SET status = 'TRANSFER_PENDING', status_before_transfer = status WHERE id = $1`,
      [clueId],
    );
  } else {
    await services.db.query(`UPDATE clue SET owner_department_id = $2, status = 'ASSIGNED' WHERE id = $1`, [
      clueId,
      toId,
    ]);
  }
  return row.id;
}

/** The row id inside a Relay global id. */
export const rowId = (globalId: string): string => Buffer.from(globalId, 'base64url').toString().split(':')[1];

let insertedCases = 0;

/**
 * A case inserted directly in a given state and owner, filed from the given clues (no
 * timeline), for tests about who may see and change what rather than about how it got there.
 */
export async function insertCase(
  services: AppServices,
  c: {
    ownerKind: string;
    ownerRegion: string;
    status?: string;
    regionCode?: string;
    clueIds?: string[];
    title?: string;
  },
): Promise<string> {
  insertedCases += 1;
  const [row] = await services.db.query(
    `INSERT INTO "case" (code, title, status, owner_department_id, region_code)
     VALUES ($1, $2, $3, (SELECT id FROM department WHERE kind = $4 AND region_code = $5), $6) RETURNING id`,
    [
      `AJ-FIX-${process.pid}-${insertedCases}`,
      c.title ?? `夹具案件${insertedCases}`,
      c.status ?? 'FILED',
      c.ownerKind,
      c.ownerRegion,
      c.regionCode ?? c.ownerRegion,
    ],
  );
  if (c.clueIds?.length) {
    await services.db.query('INSERT INTO case_clue (case_id, clue_id) SELECT $1, unnest($2::uuid[])', [
      row.id,
      c.clueIds,
    ]);
  }
  return row.id;
}

/**
 * An OPEN rectification item of a case, to be done by the given department: an OPEN measure of
 * the case's CASE problem for that department (supervised by the case's owner, in the case's
 * region), the problem created when missing — as addRectification stores it. Returns the
 * measure's id (the item's id).
 */
export async function insertRectification(
  services: AppServices,
  caseId: string,
  owner: { kind: string; region: string },
): Promise<string> {
  const [row] = await services.db.query(
    `WITH dept AS (SELECT id FROM department WHERE kind = $2 AND region_code = $3),
     existing AS (
       SELECT p.id FROM problem p WHERE p.source = 'CASE' AND p.case_id = $1 AND p.category = '案件整改'
         AND p.responsible_department_id = (SELECT id FROM dept) ORDER BY p.created_at, p.id LIMIT 1),
     created AS (
       INSERT INTO problem (code, source, category, description, responsible_department_id, supervising_department_id,
         region_code, status, case_id)
       SELECT 'WT' || to_char(now(), 'YYYY') || '-' || lpad(nextval('problem_code_seq')::text, 6, '0'), 'CASE', '案件整改',
              k.title, (SELECT id FROM dept), k.owner_department_id, k.region_code, 'OPEN', k.id
       FROM "case" k WHERE k.id = $1 AND NOT EXISTS (SELECT 1 FROM existing)
       RETURNING id)
     INSERT INTO rectification_measure (problem_id, description, deadline, status)
     SELECT coalesce((SELECT id FROM existing), (SELECT id FROM created)), '夹具整改', current_date + 30, 'OPEN'
     RETURNING id`,
    [caseId, owner.kind, owner.region],
  );
  return row.id;
}

/**
 * A supervision item inserted directly: created by a leader of `creator`, assigned to
 * `assignee`, over exactly one of clueId, caseId, transferId (row ids).
 */
export async function insertSupervisionItem(
  services: AppServices,
  s: {
    creator: { kind: string; region: string };
    assignee: { kind: string; region: string };
    clueId?: string;
    caseId?: string;
    transferId?: string;
    kind?: string;
    status?: string;
  },
): Promise<string> {
  const creatorId = await departmentIdOf(services, s.creator.kind, s.creator.region);
  const [row] = await services.db.query(
    `INSERT INTO supervision_item (kind, title, status, clue_id, case_id, transfer_id, assigned_to_department_id,
                                   creator_department_id, leader_id, deadline)
     SELECT $1, '夹具督办', $2, $3, $4, $5, $6, $7, u.id, now() + interval '10 days'
     FROM app_user u WHERE u.department_id = $7 AND 'LEADER' = ANY(u.roles) LIMIT 1
     RETURNING id`,
    [
      s.kind ?? 'LISTED_SUPERVISION',
      s.status ?? 'OPEN',
      s.clueId ?? null,
      s.caseId ?? null,
      s.transferId ?? null,
      await departmentIdOf(services, s.assignee.kind, s.assignee.region),
      creatorId,
    ],
  );
  return row.id;
}
