/**
 * supervisionStats (PRODUCT.md §7) on hand-built rows: each event counts on its Asia/Shanghai
 * date, for clues and cases whose institution or owning department lies in the region;
 * money sums are exact; only leaders and analysts inside their jurisdiction may read.
 */
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { AsUser, asUsers, code } from '../support/client';
import { supervisionStats } from '../../src/domain/stats/stats.service';
import { Actor } from '../../src/policy';

let t: TestApi;
let gql: AsUser;
const q = (sql: string, params: unknown[] = []) => t.services.db.query(sql, params);
const dept: Record<string, string> = {};
let leaderId: string;

const STATS = `query($r: String!, $f: Date!, $t: Date!) {
  supervisionStats(regionCode: $r, from: $f, to: $t) {
    regionCode from to cluesReceived cluesRouted cluesTransferred transfersReturned transfersOverdue averageDaysToAccept
    casesFiled casesClosed sanctionsByKind { kind count } personsSanctioned amountRecovered
    supervisionOpen supervisionOverdue supervisionCompleted
    byDepartment { department { id name kind region { code } } cluesReceived cluesTransferredOut transfersOverdue
                   casesFiled casesClosed amountRecovered }
    byMonth { month cluesReceived cluesRouted cluesTransferred transfersReturned transfersOverdue casesFiled casesClosed
              sanctions amountRecovered }
  } }`;

function stats(username: string, regionCode: string, from: string, to: string) {
  return gql(username, STATS, { r: regionCode, f: from, t: to });
}
async function statsOk(username: string, regionCode: string, from: string, to: string) {
  const res = await stats(username, regionCode, from, to);
  expect(res.errors).toBeUndefined();
  return res.data.supervisionStats;
}

// ---------- fixture builders ----------

async function clue(
  code: string,
  region: string,
  owner: string,
  createdAt: string,
  extra: { status?: string; closedAt?: string; recovered?: string } = {},
): Promise<string> {
  const [row] = await q(
    `INSERT INTO clue (code, title, source, status, region_code, institution_code, owner_department_id, created_at,
      closed_at, recovered_amount)
     VALUES ($1::text, $1::text, 'PETITION', $2, $3::text, 'I' || $3::text, $4, $5, $6, $7) RETURNING id`,
    [code, extra.status ?? 'ASSIGNED', region, dept[owner], createdAt, extra.closedAt ?? null, extra.recovered ?? null],
  );
  await q(
    `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
      VALUES ('Clue', $1, $2, NULL, 'NEW', 'REGISTER')`,
    [row.id, createdAt],
  );
  return row.id;
}

const routed = (clueId: string, to: string, at: string) =>
  q(
    `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event, detail)
     VALUES ('Clue', $1, $2, 'NEW', 'ASSIGNED', 'ROUTE', jsonb_build_object('departmentId', $3::text))`,
    [clueId, at, dept[to]],
  );

async function transfer(
  clueId: string,
  from: string,
  to: string,
  status: string,
  times: {
    requested: string;
    acceptDeadline: string;
    responded?: string;
    feedbackDeadline?: string;
    feedbackAt?: string;
  },
): Promise<string> {
  const [row] = await q(
    `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by,
      requested_at,
                                accept_deadline, responded_at, feedback_deadline, feedback_at, clue_status_before)
     VALUES ($1, $2, $3, '移送', $4, $5, $6, $7, $8, $9, $10, 'ASSIGNED') RETURNING id`,
    [
      clueId,
      dept[from],
      dept[to],
      status,
      leaderId,
      times.requested,
      times.acceptDeadline,
      times.responded ?? null,
      times.feedbackDeadline ?? null,
      times.feedbackAt ?? null,
    ],
  );
  return row.id;
}

async function kase(
  code: string,
  region: string,
  owner: string,
  filedAt: string,
  closedAt: string | null,
  clueIds: string[],
) {
  const [row] = await q(
    `INSERT INTO "case" (code, title, status, owner_department_id, region_code, filed_at, created_at, closed_at)
     VALUES ($1::text, $1::text, $2, $3, $4, $5::timestamptz, $5::timestamptz, $6) RETURNING id`,
    [code, closedAt ? 'CLOSED' : 'INVESTIGATING', dept[owner], region, filedAt, closedAt],
  );
  await q('INSERT INTO case_clue (case_id, clue_id) SELECT $1, unnest($2::uuid[])', [row.id, clueIds]);
  return row.id as string;
}

const sanction = (
  caseId: string,
  kind: string,
  target: { person?: string; institution?: string },
  amount: string | null,
  at: string,
) =>
  q(
    `INSERT INTO sanction (case_id, kind, person_id, institution_code, amount, decided_at)
      VALUES ($1, $2, $3, $4, $5, $6)`,
    [caseId, kind, target.person ?? null, target.institution ?? null, amount, at],
  );

async function supervision(
  target: { clue?: string; case?: string },
  assignedTo: string,
  status: string,
  times: { created: string; deadline: string; completed?: string; overdue?: string; cancelled?: string },
) {
  const [row] = await q(
    `INSERT INTO supervision_item (kind, title, status, clue_id, case_id, assigned_to_department_id,
      creator_department_id, leader_id,
                                   deadline, created_at, completed_at, overdue_at)
     VALUES ('LISTED_SUPERVISION', '督办', $1, $2, $3, $4, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      status,
      target.clue ?? null,
      target.case ?? null,
      dept[assignedTo],
      leaderId,
      times.deadline,
      times.created,
      times.completed ?? null,
      times.overdue ?? null,
    ],
  );
  if (times.cancelled) {
    await q(
      `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
        VALUES ('SupervisionItem', $1, $2, 'OPEN', 'CANCELLED', 'CANCEL')`,
      [row.id, times.cancelled],
    );
  }
}

beforeAll(async () => {
  t = await startTestApi();
  await seedRegions(t.services);
  await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
  gql = asUsers(t);
  const prefix: Record<string, string> = {
    MEDICAL_INSURANCE: 'yb',
    HEALTH: 'wj',
    PUBLIC_SECURITY: 'ga',
    DISCIPLINE: 'jw',
  };
  for (const d of await q('SELECT id, kind, region_code FROM department'))
    dept[`${prefix[d.kind]}-${d.region_code}`] = d.id;
  [{ id: leaderId }] = await q(`SELECT id FROM app_user WHERE username = 'yb-610302-leader'`);
  for (const region of ['610302', '610303', '610102']) {
    await q(
      `INSERT INTO institution (code, name, kind, level, ownership, region_code)
        VALUES ($1::text, $1::text, 'HOSPITAL', 'SECONDARY', 'PUBLIC', $2)`,
      [`I${region}`, region],
    );
  }
  await q(
    `INSERT INTO person (person_id, name, region_code)
      VALUES ('P1', '张三', '610302'), ('P2', '李四', '610302'), ('P3', '王五', '610303')`,
  );

  // 渭滨区 610302: A is created late on 31 March Shanghai time (March), B at 16:30Z that day (1 April in Shanghai).
  const a = await clue('A', '610302', 'yb-610302', '2025-03-31T23:30:00+08:00');
  await routed(a, 'yb-610302', '2025-03-31T23:40:00+08:00');
  const b = await clue('B', '610302', 'yb-610302', '2025-03-31T16:30:00Z');
  await routed(b, 'yb-610302', '2025-03-31T16:40:00Z');
  // February in Shanghai (23:59:59 on 28 February): outside a March window.
  await clue('F', '610302', 'yb-610302', '2025-02-28T15:59:59Z');
  // E's institution is in 金台区 610303, but it now belongs to 渭滨区 police (accepted transfer T3).
  const e = await clue('E', '610303', 'ga-610302', '2025-03-01T00:00:00+08:00');
  await routed(e, 'yb-610303', '2025-03-01T09:00:00+08:00');
  const g = await clue('G', '610302', 'yb-610302', '2025-03-02T10:00:00+08:00', {
    status: 'CLOSED',
    closedAt: '2025-03-25T10:00:00+08:00',
    recovered: '0.23',
  });
  const h = await clue('H', '610302', 'yb-610302', '2025-03-03T10:00:00+08:00', {
    status: 'CLOSED',
    closedAt: '2025-04-02T10:00:00+08:00',
    recovered: '999.00',
  });
  // 金台区 610303 and 新城区 610102 (西安).
  const c = await clue('C', '610303', 'yb-610303', '2025-03-10T10:00:00+08:00');
  await clue('D', '610102', 'yb-610102', '2025-03-05T10:00:00+08:00');

  // T1: accepted after 2 days; its feedback deadline (20 March) passed without feedback.
  await transfer(a, 'yb-610302', 'ga-610302', 'ACCEPTED', {
    requested: '2025-03-05T10:00:00+08:00',
    acceptDeadline: '2025-03-12T23:59:59.999+08:00',
    responded: '2025-03-07T10:00:00+08:00',
    feedbackDeadline: '2025-03-20T23:59:59.999+08:00',
  });
  // T2 (金台区): returned in time.
  await transfer(c, 'yb-610303', 'wj-610303', 'RETURNED', {
    requested: '2025-03-10T10:00:00+08:00',
    acceptDeadline: '2025-03-17T23:59:59.999+08:00',
    responded: '2025-03-11T10:00:00+08:00',
  });
  // T3: accepted after 4.5 days, after its accept deadline (overdue on 5 March).
  await transfer(e, 'yb-610303', 'ga-610302', 'FEEDBACK_GIVEN', {
    requested: '2025-03-02T08:00:00+08:00',
    acceptDeadline: '2025-03-05T23:59:59.999+08:00',
    responded: '2025-03-06T20:00:00+08:00',
    feedbackDeadline: '2025-04-20T23:59:59.999+08:00',
    feedbackAt: '2025-04-01T10:00:00+08:00',
  });
  // T4: requested on 1 April (Shanghai), still pending past its deadline.
  await transfer(b, 'yb-610302', 'jw-610302', 'PENDING', {
    requested: '2025-03-31T16:30:00Z',
    acceptDeadline: '2025-04-08T23:59:59.999+08:00',
  });

  // T5: accepted late (accept deadline 28 March) and no feedback by its deadline (20 April):
  // overdue in March and in April, one overdue transfer over both months.
  await transfer(h, 'yb-610302', 'wj-610302', 'ACCEPTED', {
    requested: '2025-03-25T10:00:00+08:00',
    acceptDeadline: '2025-03-28T23:59:59.999+08:00',
    responded: '2025-04-02T10:00:00+08:00',
    feedbackDeadline: '2025-04-20T23:59:59.999+08:00',
  });

  const k1 = await kase('K1', '610302', 'yb-610302', '2025-03-15T10:00:00+08:00', '2025-03-31T23:30:00+08:00', [a]);
  await kase('K2', '610302', 'yb-610302', '2025-03-31T16:30:00Z', null, [b]);
  const k3 = await kase('K3', '610303', 'yb-610303', '2025-03-20T10:00:00+08:00', null, [c]);
  await sanction(k1, 'FUND_RECOVERY', { person: 'P1' }, '12345.67', '2025-03-20T10:00:00+08:00');
  await sanction(k1, 'ADMINISTRATIVE_PENALTY', { person: 'P1' }, '5000.00', '2025-03-20T10:00:00+08:00');
  await sanction(k1, 'FUND_RECOVERY', { institution: 'I610302' }, '0.10', '2025-03-21T10:00:00+08:00');
  await sanction(k1, 'INTERVIEW', { person: 'P2' }, null, '2025-03-31T16:30:00Z');
  await sanction(k3, 'FUND_RECOVERY', { person: 'P3' }, '100.00', '2025-03-22T10:00:00+08:00');

  await supervision({ clue: a }, 'yb-610302', 'COMPLETED', {
    created: '2025-03-01T10:00:00+08:00',
    deadline: '2025-03-10T23:59:59+08:00',
    completed: '2025-03-09T10:00:00+08:00',
  });
  await supervision({ case: k1 }, 'yb-610302', 'OVERDUE', {
    created: '2025-03-05T10:00:00+08:00',
    deadline: '2025-03-25T23:59:59+08:00',
    overdue: '2025-03-26T00:00:30+08:00',
  });
  await supervision({ clue: g }, 'yb-610302', 'OPEN', {
    created: '2025-03-05T10:00:00+08:00',
    deadline: '2099-01-01T00:00:00+08:00',
  });
  await supervision({ clue: g }, 'yb-610302', 'CANCELLED', {
    created: '2025-03-05T10:00:00+08:00',
    deadline: '2099-01-01T00:00:00+08:00',
    cancelled: '2025-03-06T10:00:00+08:00',
  });
  await supervision({ clue: g }, 'yb-610302', 'OPEN', {
    created: '2025-04-02T10:00:00+08:00',
    deadline: '2099-01-01T00:00:00+08:00',
  });
});
afterAll(() => t?.close());

describe('supervisionStats', () => {
  it('counts each event of a county on its Shanghai date, with exact money', async () => {
    const s = await statsOk('yb-610302-leader', '610302', '2025-03-01', '2025-03-31');
    expect(s).toMatchObject({
      regionCode: '610302',
      from: '2025-03-01',
      to: '2025-03-31',
      // A (23:30 on 31 March), E (00:00 on 1 March), G, H — not B (1 April in Shanghai), not F (28 February).
      cluesReceived: 4,
      cluesRouted: 2,
      cluesTransferred: 3,
      transfersReturned: 0,
      transfersOverdue: 3,
      averageDaysToAccept: 3.25,
      casesFiled: 1,
      casesClosed: 1,
      personsSanctioned: 1,
      // 12345.67 + 0.10 recovered by sanctions, 0.23 when clue G was closed.
      amountRecovered: '12346.00',
      supervisionOpen: 1,
      supervisionOverdue: 1,
      supervisionCompleted: 1,
    });
    expect(s.sanctionsByKind).toEqual([
      { kind: 'FUND_RECOVERY', count: 2 },
      { kind: 'ADMINISTRATIVE_PENALTY', count: 1 },
    ]);
    expect(s.byMonth).toEqual([
      {
        month: '2025-03',
        cluesReceived: 4,
        cluesRouted: 2,
        cluesTransferred: 3,
        transfersReturned: 0,
        transfersOverdue: 3,
        casesFiled: 1,
        casesClosed: 1,
        sanctions: 3,
        amountRecovered: '12346.00',
      },
    ]);
  });

  it('breaks the figures down by department, including outside departments that acted on its clues', async () => {
    const s = await statsOk('yb-610302-analyst', '610302', '2025-03-01', '2025-03-31');
    const byName = Object.fromEntries(
      s.byDepartment.map((d: { department: { name: string } }) => [d.department.name, d]),
    );
    expect(Object.keys(byName).sort()).toEqual(
      ['渭滨区医疗保障局', '渭滨区卫生健康委员会', '渭滨区公安局', '渭滨区纪委监委', '金台区医疗保障局'].sort(),
    );
    expect(byName['渭滨区医疗保障局']).toMatchObject({
      department: { kind: 'MEDICAL_INSURANCE', region: { code: '610302' } },
      cluesReceived: 1,
      cluesTransferredOut: 2,
      transfersOverdue: 0,
      casesFiled: 1,
      casesClosed: 1,
      amountRecovered: '12346.00',
    });
    // Accepted T1 and T3, both past a deadline.
    expect(byName['渭滨区公安局']).toMatchObject({
      cluesReceived: 2,
      cluesTransferredOut: 0,
      transfersOverdue: 2,
      amountRecovered: '0.00',
    });
    // Routed E and transferred it out (T3) before it came to 渭滨区.
    expect(byName['金台区医疗保障局']).toMatchObject({ cluesReceived: 1, cluesTransferredOut: 1, casesFiled: 0 });
    expect(byName['渭滨区纪委监委']).toMatchObject({ cluesReceived: 0, cluesTransferredOut: 0, transfersOverdue: 0 });
    expect(byName['渭滨区卫生健康委员会']).toMatchObject({ cluesReceived: 0, transfersOverdue: 1 });
  });

  it('counts the events of 1 April Shanghai time in April, month by month', async () => {
    const s = await statsOk('yb-610302-leader', '610302', '2025-03-01', '2025-04-30');
    expect(s.byMonth.map((m: { month: string }) => m.month)).toEqual(['2025-03', '2025-04']);
    expect(s.byMonth[1]).toEqual({
      month: '2025-04',
      cluesReceived: 1,
      cluesRouted: 1,
      cluesTransferred: 1,
      transfersReturned: 0,
      // T4 (accept) and T5 (feedback).
      transfersOverdue: 2,
      casesFiled: 1,
      casesClosed: 0,
      sanctions: 1,
      amountRecovered: '999.00',
    });
    // T1, T3, T4 and T5: T5 counts once over the two months.
    expect(s).toMatchObject({
      cluesReceived: 5,
      cluesTransferred: 4,
      transfersOverdue: 4,
      amountRecovered: '13345.00',
    });
    const health = s.byDepartment.find(
      (d: { department: { name: string } }) => d.department.name === '渭滨区卫生健康委员会',
    );
    expect(health).toMatchObject({ cluesReceived: 1, transfersOverdue: 1 });
    expect(s.sanctionsByKind).toContainEqual({ kind: 'INTERVIEW', count: 1 });
    expect(s.personsSanctioned).toBe(2);
  });

  it('widens with the jurisdiction: city and province', async () => {
    const city = await statsOk('yb-610300-leader', '610300', '2025-03-01', '2025-03-31');
    expect(city).toMatchObject({
      cluesReceived: 5,
      cluesTransferred: 4,
      transfersReturned: 1,
      transfersOverdue: 3,
      averageDaysToAccept: 3.25,
      casesFiled: 2,
      personsSanctioned: 2,
      amountRecovered: '12446.00',
    });
    expect(city.sanctionsByKind).toContainEqual({ kind: 'FUND_RECOVERY', count: 3 });
    const province = await statsOk('jw-610000-leader', '610000', '2025-03-01', '2025-03-31');
    expect(province.cluesReceived).toBe(6);
    expect(province.byDepartment).toHaveLength(13 * 4);
    const sum = (key: string) => province.byDepartment.reduce((n: number, d: Record<string, number>) => n + d[key], 0);
    expect(sum('casesFiled')).toBe(province.casesFiled);
    expect(sum('cluesTransferredOut')).toBe(province.cluesTransferred);
    // Another county sees none of 渭滨区's figures.
    const other = await statsOk('yb-610300-leader', '610303', '2025-03-01', '2025-03-31');
    expect(other).toMatchObject({ cluesReceived: 2, casesFiled: 1, amountRecovered: '100.00' });
  });

  it('is FORBIDDEN for investigators and for regions outside the jurisdiction', async () => {
    expect(code(await stats('yb-610302-investigator', '610302', '2025-03-01', '2025-03-31'))).toBe('FORBIDDEN');
    expect(code(await stats('yb-610302-leader', '610300', '2025-03-01', '2025-03-31'))).toBe('FORBIDDEN');
    expect(code(await stats('yb-610302-leader', '610303', '2025-03-01', '2025-03-31'))).toBe('FORBIDDEN');
    expect(code(await stats('yb-610300-admin', '610300', '2025-03-01', '2025-03-31'))).toBe('FORBIDDEN');
  });

  it('rejects an inverted window and an unknown region', async () => {
    expect(code(await stats('yb-610302-leader', '610302', '2025-04-01', '2025-03-31'))).toBe('BAD_USER_INPUT');
    expect(code(await stats('jw-610000-leader', '619999', '2025-03-01', '2025-03-31'))).toBe('BAD_USER_INPUT');
  });

  it('gives every figure of the totals by department and by month, adding up where they are sums', async () => {
    const ALL = `query { supervisionStats(regionCode: "610000", from: "2025-03-01", to: "2025-04-30") {
      cluesReceived cluesRouted cluesTransferred transfersReturned transfersOverdue casesFiled casesClosed
      sanctionsByKind { kind count } personsSanctioned amountRecovered supervisionOpen supervisionOverdue supervisionCompleted
      byDepartment { department { id } cluesRegistered cluesRouted cluesTransferredOut transfersReturned transfersOverdue
        averageDaysToAccept casesFiled casesClosed sanctions sanctionsByKind { kind count } personsSanctioned
        amountRecovered supervisionOpen supervisionOverdue supervisionCompleted }
      byMonth { month cluesReceived cluesRouted cluesTransferred transfersReturned casesFiled casesClosed sanctions
        sanctionsByKind { kind count } personsSanctioned averageDaysToAccept supervisionOpen supervisionOverdue
        supervisionCompleted }
    } }`;
    const res = await gql('jw-610000-leader', ALL);
    expect(res.errors).toBeUndefined();
    const s = res.data.supervisionStats;
    type Row = Record<string, number & { kind: string; count: number }[]>;
    const sum = (rows: Row[], key: string) => rows.reduce((n, d) => n + d[key], 0);
    const sanctions = sum(s.sanctionsByKind, 'count');
    for (const [total, perDepartment] of [
      ['cluesReceived', 'cluesRegistered'],
      ['cluesRouted', 'cluesRouted'],
      ['cluesTransferred', 'cluesTransferredOut'],
      ['transfersReturned', 'transfersReturned'],
      ['transfersOverdue', 'transfersOverdue'],
      ['casesFiled', 'casesFiled'],
      ['casesClosed', 'casesClosed'],
      ['supervisionOpen', 'supervisionOpen'],
      ['supervisionOverdue', 'supervisionOverdue'],
      ['supervisionCompleted', 'supervisionCompleted'],
    ]) {
      expect([total, sum(s.byDepartment, perDepartment)]).toEqual([total, s[total]]);
    }
    expect(sum(s.byDepartment, 'sanctions')).toBe(sanctions);
    for (const d of s.byDepartment) expect(sum(d.sanctionsByKind, 'count')).toBe(d.sanctions);
    for (const key of [
      'cluesReceived',
      'cluesRouted',
      'cluesTransferred',
      'transfersReturned',
      'casesFiled',
      'casesClosed',
    ]) {
      expect([key, sum(s.byMonth, key)]).toEqual([key, s[key]]);
    }
    expect(sum(s.byMonth, 'sanctions')).toBe(sanctions);
    expect(sum(s.byMonth, 'supervisionCompleted')).toBe(s.supervisionCompleted);
    for (const m of s.byMonth) expect(sum(m.sanctionsByKind, 'count')).toBe(m.sanctions);
    // The stocks of the last month are those of the window's end.
    const april = s.byMonth.find((m: { month: string }) => m.month === '2025-04');
    expect([april.supervisionOpen, april.supervisionOverdue]).toEqual([s.supervisionOpen, s.supervisionOverdue]);
    // Persons are distinct within each period: never more than the sanctions, at least the total per month overall.
    expect(Math.max(...s.byMonth.map((m: { personsSanctioned: number }) => m.personsSanctioned))).toBeLessThanOrEqual(
      s.personsSanctioned,
    );
    expect(sum(s.byMonth, 'personsSanctioned')).toBeGreaterThanOrEqual(s.personsSanctioned);
  });

  it('reads the same figures from the roll-up as from the events, for every region and several windows', async () => {
    const [leader] = await q(`SELECT u.id, u.department_id FROM app_user u WHERE u.username = 'jw-610000-leader'`);
    const actor: Actor = {
      userId: leader.id,
      username: 'jw-610000-leader',
      roles: ['LEADER'],
      department: { id: leader.department_id, kind: 'DISCIPLINE', regionCode: '610000', regionLevel: 'PROVINCE' },
    };
    const regions = (await q('SELECT code FROM region ORDER BY code')).map((r: { code: string }) => r.code);
    for (const region of regions) {
      for (const [from, to] of [
        ['2025-03-01', '2025-03-31'],
        ['2025-02-15', '2025-04-30'],
        ['2025-03-31', '2025-04-01'],
        ['2025-04-01', '2025-04-08'],
        ['2024-01-01', '2026-12-31'],
      ]) {
        // The figures, not the moments they were read at (asOf).
        const { asOf: _rolledUpAt, ...rollup } = await supervisionStats(
          t.services.db,
          actor,
          region,
          from,
          to,
          'rollup',
        );
        const { asOf: _readAt, ...direct } = await supervisionStats(t.services.db, actor, region, from, to, 'direct');
        expect({ region, from, to, rollup }).toEqual({ region, from, to, rollup: direct });
      }
    }
  });

  it('returns zeros and a null average for an empty window', async () => {
    const s = await statsOk('yb-610302-leader', '610302', '2024-01-01', '2024-01-31');
    expect(s).toMatchObject({
      cluesReceived: 0,
      averageDaysToAccept: null,
      amountRecovered: '0.00',
      sanctionsByKind: [],
    });
  });
});
