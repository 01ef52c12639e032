/**
 * The filters of the workflow lists (PRODUCT.md §7; docs/READING.md "Filters"): clues, cases,
 * transfers, supervision items, problems and notifications. Each filter, alone and combined, is
 * checked across pages (first: 2) against the fixture's facts filtered in TypeScript — the
 * expected lists are computed from what the fixtures were built with, not from the product's SQL —
 * and in the list's stable order (newest first, ties by id).
 */
import { toGlobalId } from '../../src/core/ids';
import { startTestApi, TestApi } from '../support/harness';
import { AsUser, asUsers, code, data } from '../support/client';
import { departmentIdOf, seedWorkflowFixtures, userIdOf } from '../support/workflow-fixtures';

/** 纪委 of the province reads every clue, case, transfer, item and problem of the province. */
const READER = 'jw-610000-leader';
const INSTITUTIONS = [
  { code: 'H610302001', region: '610302' },
  { code: 'H610303001', region: '610303' },
  { code: 'Y610402001', region: '610402' },
];
const KINDS = ['MEDICAL_INSURANCE', 'HEALTH'] as const;
const STATUSES = ['NEW', 'ASSIGNED', 'VERIFYING', 'CLOSED'] as const;

interface ClueFact {
  id: string;
  status: string;
  source: string;
  model: string | null;
  institution: string;
  region: string;
  amount: number;
  ownerKind: string;
  owner: string;
  day: string;
  persons: string[];
}
interface CaseFact {
  id: string;
  clues: ClueFact[];
  filedDay: string;
  closedDay: string | null;
  lead: string | null;
  sanctioned: string | null;
}
interface TransferFact {
  id: string;
  clue: ClueFact;
  from: string;
  to: string;
  day: string;
  status: string;
}
interface ItemFact {
  id: string;
  creator: string;
  assigned: string;
  assignedRegion: string;
  clueId: string | null;
  caseId: string | null;
  day: string;
  deadline: string;
}
interface ProblemFact {
  id: string;
  category: string;
  amount: number | null;
  region: string;
  caseId: string | null;
  clueId: string | null;
  day: string;
  closedDay: string | null;
}

/** A day of March 2026 (Asia/Shanghai). */
const day = (n: number) => `2026-03-${String(n + 1).padStart(2, '0')}`;
const at = (d: string, hour = 10) => `${d}T${String(hour).padStart(2, '0')}:00:00+08:00`;
const money = (n: number) => n.toFixed(2);
/** Newest first by day (all distinct per list), as the lists order. */
const newestFirst = <T extends { day: string; id: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (a.day === b.day ? (a.id < b.id ? 1 : -1) : a.day < b.day ? 1 : -1));

describe('filters of the workflow lists', () => {
  let t: TestApi;
  let gql: AsUser;
  const clues: ClueFact[] = [];
  const cases: CaseFact[] = [];
  const transfers: TransferFact[] = [];
  const items: ItemFact[] = [];
  const problems: ProblemFact[] = [];
  const dept: Record<string, string> = {};
  const deptOf = (kind: string, region: string) => dept[`${kind}:${region}`];

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    const db = t.services.db;
    for (const kind of ['MEDICAL_INSURANCE', 'HEALTH', 'PUBLIC_SECURITY', 'DISCIPLINE']) {
      for (const region of ['610300', '610302', '610303', '610400', '610402']) {
        dept[`${kind}:${region}`] = await departmentIdOf(t.services, kind, region);
      }
    }
    const leader = await userIdOf(t.services, 'yb-610300-leader');
    const investigator = await userIdOf(t.services, 'yb-610302-investigator');

    for (let i = 0; i < 12; i++) {
      const inst = INSTITUTIONS[i % 3];
      const fact = {
        status: STATUSES[i % 4],
        source: i % 3 === 0 ? 'DATA_COLLISION' : 'PETITION',
        model: i % 3 === 0 ? (i % 2 === 0 ? 'OVER_PRICE' : 'BED_HANGING') : null,
        institution: inst.code,
        region: inst.region,
        amount: (i + 1) * 1000 + 0.5,
        ownerKind: KINDS[i % 2],
        owner: deptOf(KINDS[i % 2], inst.region),
        day: day(i),
        persons: [...(i % 2 === 0 ? ['P1'] : []), ...(i % 3 === 1 ? ['P4'] : [])],
      };
      const [row] = await db.query(
        `INSERT INTO clue (code, title, source, status, model, institution_code, region_code, amount_involved, owner_department_id, created_at)
         VALUES ($1, '筛选线索', $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          `XS-F-${i}`,
          fact.source,
          fact.status,
          fact.model,
          fact.institution,
          fact.region,
          money(fact.amount),
          fact.owner,
          at(fact.day),
        ],
      );
      for (const p of fact.persons) {
        await db.query(`INSERT INTO clue_person (clue_id, person_id, role) VALUES ($1, $2, 'SUBJECT')`, [row.id, p]);
      }
      clues.push({ id: row.id, ...fact });
    }

    // Cases of one to three clues each.
    const groups = [[0], [1, 2], [3], [4, 5, 6], [7], [8, 9]];
    for (const [n, group] of groups.entries()) {
      const owner = clues[group[0]].owner;
      const filedDay = day(n * 3);
      const closedDay = n % 2 === 1 ? day(n * 3 + 2) : null;
      const lead = n % 3 === 0 ? investigator : null;
      const sanctioned = n === 4 ? 'P3' : null;
      const [row] = await db.query(
        `INSERT INTO "case" (code, title, status, owner_department_id, region_code, lead_investigator_id, filed_at, closed_at, created_at)
         VALUES ($1, '筛选案件', $2, $3, $4, $5, $6, $7, $6) RETURNING id`,
        [
          `AJ-F-${n}`,
          closedDay ? 'CLOSED' : 'INVESTIGATING',
          owner,
          clues[group[0]].region,
          lead,
          at(filedDay),
          closedDay && at(closedDay, 15),
        ],
      );
      for (const c of group)
        await db.query('INSERT INTO case_clue (case_id, clue_id) VALUES ($1, $2)', [row.id, clues[c].id]);
      if (sanctioned) {
        await db.query(`INSERT INTO sanction (case_id, kind, person_id, amount) VALUES ($1, 'FUND_RECOVERY', $2, 10)`, [
          row.id,
          sanctioned,
        ]);
      }
      cases.push({ id: row.id, clues: group.map((c) => clues[c]), filedDay, closedDay, lead, sanctioned });
    }

    // Transfers of six clues, to police or health of the clue's region.
    for (let n = 0; n < 6; n++) {
      const clue = clues[n * 2];
      const toKind = n % 2 === 0 ? 'PUBLIC_SECURITY' : 'DISCIPLINE';
      const status = n % 3 === 0 ? 'PENDING' : 'ACCEPTED';
      const requested = day(10 + n);
      const [row] = await db.query(
        `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, requested_at,
                                    accept_deadline, clue_status_before)
         VALUES ($1, $2, $3, '筛选移送', $4, $5, $6, $6::timestamptz + interval '5 days', 'ASSIGNED') RETURNING id`,
        [clue.id, clue.owner, deptOf(toKind, clue.region), status, investigator, at(requested)],
      );
      transfers.push({ id: row.id, clue, from: clue.owner, to: deptOf(toKind, clue.region), day: requested, status });
    }

    // Supervision items: by the city's 医保 leader, over clues or cases.
    for (let n = 0; n < 6; n++) {
      const clue = n % 2 === 0 ? clues[n] : null;
      const kase = n % 2 === 1 ? cases[n] : null;
      const region = n % 3 === 2 ? '610402' : '610302';
      const assigned = deptOf('MEDICAL_INSURANCE', region);
      const creator = n < 3 ? deptOf('MEDICAL_INSURANCE', '610300') : deptOf('MEDICAL_INSURANCE', '610400');
      const created = day(n * 2);
      const deadline = day(n * 2 + 10);
      const [row] = await db.query(
        `INSERT INTO supervision_item (kind, title, status, clue_id, case_id, assigned_to_department_id, creator_department_id,
                                       leader_id, deadline, created_at)
         VALUES ('LEADER_ASSIGNED', '筛选督办', 'OPEN', $1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [clue?.id ?? null, kase?.id ?? null, assigned, creator, leader, at(deadline, 18), at(created)],
      );
      items.push({
        id: row.id,
        creator,
        assigned,
        assignedRegion: region,
        clueId: clue?.id ?? null,
        caseId: kase?.id ?? null,
        day: created,
        deadline,
      });
    }

    // Problems of the 医保 departments, supervised by the city.
    for (let n = 0; n < 8; n++) {
      const region = ['610302', '610303', '610402', '611002'][n % 4];
      const responsible = n % 4 === 3 ? await departmentIdOf(t.services, 'HEALTH', '611002') : deptOf('HEALTH', region);
      const supervising =
        n % 4 === 3
          ? await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '611000')
          : deptOf('MEDICAL_INSURANCE', '610300');
      const fact = {
        category: n % 2 === 0 ? '超标准收费' : '串换项目',
        amount: n === 5 ? null : n * 500 + 0.25,
        region,
        caseId: n % 3 === 0 ? cases[n % cases.length].id : null,
        clueId: n % 3 === 1 ? clues[n].id : null,
        day: day(n * 3),
        closedDay: n % 2 === 1 ? day(n * 3 + 1) : null,
      };
      const [row] = await db.query(
        `INSERT INTO problem (code, source, category, description, amount, responsible_department_id, supervising_department_id,
                              region_code, status, case_id, clue_id, created_at, closed_at)
         VALUES ($1, 'AUDIT', $2, '筛选问题', $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          `WT-F-${n}`,
          fact.category,
          fact.amount === null ? null : money(fact.amount),
          responsible,
          supervising,
          region,
          fact.closedDay ? 'CLOSED' : 'OPEN',
          fact.caseId,
          fact.clueId,
          at(fact.day),
          fact.closedDay && at(fact.closedDay, 16),
        ],
      );
      problems.push({ id: row.id, ...fact });
    }
  });
  afterAll(() => t.close());

  /** Every id of `field` (all pages of two) with filter `f`, and the totalCount each page reported. */
  async function listAll(field: string, filterType: string, f: Record<string, unknown>, user = READER) {
    const ids: string[] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const res: any = data(
        await gql(
          user,
          `query($f: ${filterType}, $after: String) { ${field}(filter: $f, first: 2, after: $after) {
             totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
          { f, after },
        ),
      );
      const page = res[field];
      totals.add(page.totalCount);
      ids.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    return { ids, totals: [...totals] };
  }

  /** Checks each [filter, predicate] of a list: the ids in order, across pages, with a constant totalCount. */
  async function check<T extends { id: string; day: string }>(
    field: string,
    filterType: string,
    type: string,
    universe: T[],
    cases: [Record<string, unknown>, (row: T) => boolean][],
  ) {
    for (const [f, keep] of cases) {
      const want = newestFirst(universe.filter(keep)).map((r) => toGlobalId(type as never, r.id));
      const got = await listAll(field, filterType, f);
      expect({ f, ...got }).toEqual({ f, ids: want, totals: [want.length] });
    }
    // Every filter selects something and not everything, so that each test above means something.
    for (const [f, keep] of cases) {
      const n = universe.filter(keep).length;
      expect({ f, some: n > 0, notAll: n < universe.length }).toEqual({ f, some: true, notAll: true });
    }
  }

  it('clues: status, source, model, owner, region, institution, amount range, date range, person, combined', async () => {
    const inRange = (c: ClueFact, from: string, to: string) => c.day >= from && c.day <= to;
    await check('clues', 'ClueFilter', 'Clue', clues, [
      [{ status: ['NEW', 'CLOSED'] }, (c) => ['NEW', 'CLOSED'].includes(c.status)],
      [{ source: 'PETITION' }, (c) => c.source === 'PETITION'],
      [{ model: 'OVER_PRICE' }, (c) => c.model === 'OVER_PRICE'],
      [
        { ownerDepartmentId: toGlobalId('Department', deptOf('HEALTH', '610303')) },
        (c) => c.owner === deptOf('HEALTH', '610303'),
      ],
      [{ regionCode: '610300' }, (c) => c.region.startsWith('6103')],
      [{ institutionCode: 'Y610402001' }, (c) => c.institution === 'Y610402001'],
      [{ minAmount: '5000.50' }, (c) => c.amount >= 5000.5],
      [{ maxAmount: '5000.50' }, (c) => c.amount <= 5000.5],
      [{ minAmount: '3000.51', maxAmount: '9000.50' }, (c) => c.amount >= 3000.51 && c.amount <= 9000.5],
      [{ createdFrom: day(3), createdTo: day(7) }, (c) => inRange(c, day(3), day(7))],
      [{ createdFrom: day(9) }, (c) => c.day >= day(9)],
      [{ personId: 'P1' }, (c) => c.persons.includes('P1')],
      [
        { regionCode: '610300', personId: 'P1', minAmount: '2000', createdTo: day(10) },
        (c) => c.region.startsWith('6103') && c.persons.includes('P1') && c.amount >= 2000 && c.day <= day(10),
      ],
    ]);
  });

  it('cases: model, institution, person (clue or sanction), lead investigator, amount (Σ clues), filed and closed dates, combined', async () => {
    const total = (k: CaseFact) => k.clues.reduce((s, c) => s + c.amount, 0);
    const lead = await userIdOf(t.services, 'yb-610302-investigator');
    const universe = cases.map((k) => ({ ...k, day: k.filedDay }));
    await check('cases', 'CaseFilter', 'Case', universe, [
      [{ model: 'BED_HANGING' }, (k) => k.clues.some((c) => c.model === 'BED_HANGING')],
      [{ institutionCode: 'H610303001' }, (k) => k.clues.some((c) => c.institution === 'H610303001')],
      [{ personId: 'P4' }, (k) => k.clues.some((c) => c.persons.includes('P4'))],
      [{ personId: 'P3' }, (k) => k.sanctioned === 'P3'],
      [{ leadInvestigatorId: toGlobalId('User', lead) }, (k) => k.lead === lead],
      [{ minAmount: '10000' }, (k) => total(k) >= 10000],
      [{ minAmount: '3000', maxAmount: '12000' }, (k) => total(k) >= 3000 && total(k) <= 12000],
      [{ filedFrom: day(3), filedTo: day(9) }, (k) => k.filedDay >= day(3) && k.filedDay <= day(9)],
      [{ closedFrom: day(5) }, (k) => k.closedDay !== null && k.closedDay >= day(5)],
      [
        { regionCode: '610300', status: ['CLOSED'] },
        (k) => k.clues[0].region.startsWith('6103') && k.closedDay !== null,
      ],
      [
        { personId: 'P1', filedTo: day(12), maxAmount: '8000' },
        (k) => k.clues.some((c) => c.persons.includes('P1')) && k.filedDay <= day(12) && total(k) <= 8000,
      ],
    ]);
  });

  it('transfers: from and to department, requested dates, the clue’s region, model, institution, person and amount, combined', async () => {
    await check('transfers', 'TransferFilter', 'ClueTransfer', transfers, [
      [
        { fromDepartmentId: toGlobalId('Department', deptOf('MEDICAL_INSURANCE', '610302')) },
        (x) => x.from === deptOf('MEDICAL_INSURANCE', '610302'),
      ],
      [
        { toDepartmentId: toGlobalId('Department', deptOf('DISCIPLINE', '610402')) },
        (x) => x.to === deptOf('DISCIPLINE', '610402'),
      ],
      [{ requestedFrom: day(12), requestedTo: day(14) }, (x) => x.day >= day(12) && x.day <= day(14)],
      [{ regionCode: '610400' }, (x) => x.clue.region.startsWith('6104')],
      [{ model: 'OVER_PRICE' }, (x) => x.clue.model === 'OVER_PRICE'],
      [{ institutionCode: 'H610302001' }, (x) => x.clue.institution === 'H610302001'],
      [{ personId: 'P4' }, (x) => x.clue.persons.includes('P4')],
      [{ minAmount: '4000', maxAmount: '9000.50' }, (x) => x.clue.amount >= 4000 && x.clue.amount <= 9000.5],
      [
        { status: ['ACCEPTED'], regionCode: '610300', requestedFrom: day(11) },
        (x) => x.status === 'ACCEPTED' && x.clue.region.startsWith('6103') && x.day >= day(11),
      ],
    ]);
  });

  it('supervision items: creator, region, clue, case, created and deadline dates, combined', async () => {
    const creator = deptOf('MEDICAL_INSURANCE', '610400');
    await check('supervisionItems', 'SupervisionFilter', 'SupervisionItem', items, [
      [{ creatorDepartmentId: toGlobalId('Department', creator) }, (s) => s.creator === creator],
      [{ regionCode: '610400' }, (s) => s.assignedRegion.startsWith('6104')],
      [{ clueId: toGlobalId('Clue', clues[2].id) }, (s) => s.clueId === clues[2].id],
      [{ caseId: toGlobalId('Case', cases[3].id) }, (s) => s.caseId === cases[3].id],
      [{ createdFrom: day(4), createdTo: day(8) }, (s) => s.day >= day(4) && s.day <= day(8)],
      [{ deadlineTo: day(15) }, (s) => s.deadline <= day(15)],
      [{ regionCode: '610302', deadlineFrom: day(12) }, (s) => s.assignedRegion === '610302' && s.deadline >= day(12)],
    ]);
  });

  it('problems: category, amount range, case, clue, region (a city of its own prefix), created and closed dates, combined', async () => {
    await check('problems', 'ProblemFilter', 'Problem', problems, [
      [{ category: '串换项目' }, (p) => p.category === '串换项目'],
      [{ minAmount: '1000.25' }, (p) => p.amount !== null && p.amount >= 1000.25],
      [{ maxAmount: '1000.25' }, (p) => p.amount !== null && p.amount <= 1000.25],
      [{ caseId: toGlobalId('Case', cases[0].id) }, (p) => p.caseId === cases[0].id],
      [{ clueId: toGlobalId('Clue', clues[1].id) }, (p) => p.clueId === clues[1].id],
      // 611000 (汉中市) covers 6110xx only, not 6111xx.
      [{ regionCode: '611000' }, (p) => p.region.startsWith('6110')],
      [{ regionCode: '610300' }, (p) => p.region.startsWith('6103')],
      [{ createdFrom: day(6), createdTo: day(15) }, (p) => p.day >= day(6) && p.day <= day(15)],
      [{ closedTo: day(10) }, (p) => p.closedDay !== null && p.closedDay <= day(10)],
      [
        { category: '超标准收费', minAmount: '500', createdTo: day(20) },
        (p) => p.category === '超标准收费' && p.amount !== null && p.amount >= 500 && p.day <= day(20),
      ],
    ]);
  });

  it('notifications: kind, entity type and dates, with unreadOnly, across pages', async () => {
    const user = await userIdOf(t.services, 'yb-610302-investigator');
    const facts: { id: string; day: string; kind: string; entity: string; read: boolean }[] = [];
    for (let n = 0; n < 8; n++) {
      const fact = {
        day: day(n),
        kind: n % 2 === 0 ? 'TRANSFER_RECEIVED' : 'SUPERVISION_ASSIGNED',
        entity: n % 3 === 0 ? 'Clue' : 'ClueTransfer',
        read: n % 4 === 0,
      };
      const [row] = await t.services.db.query(
        `INSERT INTO notification (user_id, kind, entity_type, message, created_at, read_at)
         VALUES ($1, $2, $3, '筛选通知', $4, $5) RETURNING id::text`,
        [user, fact.kind, fact.entity, at(fact.day), fact.read ? at(fact.day, 20) : null],
      );
      facts.push({ id: row.id, ...fact });
    }
    // Notifications are ordered by id, newest first (inserted in day order above).
    const cases: [Record<string, unknown>, boolean, (n: (typeof facts)[number]) => boolean][] = [
      [{ kind: ['TRANSFER_RECEIVED'] }, false, (n) => n.kind === 'TRANSFER_RECEIVED'],
      [{ entityType: 'Clue' }, false, (n) => n.entity === 'Clue'],
      [{ createdFrom: day(2), createdTo: day(5) }, false, (n) => n.day >= day(2) && n.day <= day(5)],
      [{ kind: ['TRANSFER_RECEIVED'] }, true, (n) => n.kind === 'TRANSFER_RECEIVED' && !n.read],
    ];
    for (const [f, unreadOnly, keep] of cases) {
      const want = facts
        .filter(keep)
        .reverse()
        .map((n) => toGlobalId('Notification', n.id));
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const res: any = data(
          await gql(
            'yb-610302-investigator',
            `query($f: NotificationFilter, $u: Boolean, $after: String) { notifications(filter: $f, unreadOnly: $u, first: 2, after: $after) {
               totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
            { f, u: unreadOnly, after },
          ),
        );
        ids.push(...res.notifications.edges.map((e: { node: { id: string } }) => e.node.id));
        expect(res.notifications.totalCount).toBe(want.length);
        if (!res.notifications.pageInfo.hasNextPage) break;
        after = res.notifications.pageInfo.endCursor;
      }
      expect({ f, unreadOnly, ids }).toEqual({ f, unreadOnly, ids: want });
    }
    const bad = await gql(
      'yb-610302-investigator',
      '{ notifications(filter: { kind: ["NO_SUCH_KIND"] }) { totalCount } }',
    );
    expect(code(bad)).toBe('BAD_USER_INPUT');
  });

  it('a date range that ends before it starts is BAD_USER_INPUT; visibility still applies under filters', async () => {
    const res = await gql(
      READER,
      '{ clues(filter: { createdFrom: "2026-03-05", createdTo: "2026-03-01" }) { totalCount } }',
    );
    expect(code(res)).toBe('BAD_USER_INPUT');
    // A county 卫健 user sees only its own clues, whatever the filter asks for.
    const own = await listAll('clues', 'ClueFilter', { regionCode: '610000' }, 'wj-610303-investigator');
    const want = newestFirst(clues.filter((c) => c.owner === deptOf('HEALTH', '610303'))).map((c) =>
      toGlobalId('Clue', c.id),
    );
    expect(own.ids).toEqual(want);
    const admin = await gql(
      'yb-610000-admin',
      '{ clues(filter: { minAmount: "0" }) { totalCount } cases { totalCount } }',
    );
    expect(data(admin)).toEqual({ clues: { totalCount: 0 }, cases: { totalCount: 0 } });
  });
});
