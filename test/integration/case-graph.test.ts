/**
 * caseGraph (PRODUCT.md §7): breadth-first around a clue, case, institution or person, only
 * what the caller may see, truncated at the node limit, node ids usable with node(id:).
 */
import 'reflect-metadata';
import { toGlobalId } from '../../src/core/ids';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { AsUser, asUsers, code } from '../support/client';

let t: TestApi;
let gql: AsUser;
const q = (sql: string, params: unknown[] = []) => t.services.db.query(sql, params);
const dept: Record<string, string> = {};
const ids: Record<string, string> = {};
let hasHits = false;

interface Graph {
  nodes: { id: string; type: string; label: string; depth: number }[];
  edges: { from: string; to: string; kind: string }[];
  truncated: boolean;
}

const GRAPH = `query($id: ID!, $d: Int, $l: Int) {
  caseGraph(rootId: $id, depth: $d, limit: $l) { nodes { id type label depth } edges { from to kind } truncated } }`;

function graph(username: string, rootId: string, depth?: number, limit?: number) {
  return gql<{ caseGraph: Graph }>(username, GRAPH, { id: rootId, d: depth, l: limit });
}
async function graphOk(username: string, rootId: string, depth?: number, limit?: number): Promise<Graph> {
  const res = await graph(username, rootId, depth, limit);
  expect(res.errors).toBeUndefined();
  return res.data!.caseGraph;
}
const labels = (g: Graph, type?: string) =>
  g.nodes
    .filter((n) => !type || n.type === type)
    .map((n) => n.label)
    .sort();
const gid = {
  clue: (name: string) => toGlobalId('Clue', ids[name]),
  case: (name: string) => toGlobalId('Case', ids[name]),
  person: (id: string) => toGlobalId('Person', id),
  institution: (code: string) => toGlobalId('Institution', code),
  department: (key: string) => toGlobalId('Department', dept[key]),
};

async function clue(name: string, region: string, owner: string, persons: string[]): Promise<void> {
  const [row] = await q(
    `INSERT INTO clue (code, title, source, status, region_code, institution_code, owner_department_id)
     VALUES ($1::text, '线索' || $1::text, 'PETITION', 'ASSIGNED', $2::text, 'I' || $2::text, $3) RETURNING id`,
    [name, region, dept[owner]],
  );
  ids[name] = row.id;
  await q(`INSERT INTO clue_person (clue_id, person_id, role) SELECT $1, unnest($2::text[]), 'SUBJECT'`, [
    row.id,
    persons,
  ]);
}

async function kase(name: string, region: string, owner: string, clues: string[]): Promise<void> {
  const [row] = await q(
    `INSERT INTO "case" (code, title, status, owner_department_id, region_code)
      VALUES ($1::text, $1::text, 'FILED', $2, $3) RETURNING id`,
    [name, dept[owner], region],
  );
  ids[name] = row.id;
  await q('INSERT INTO case_clue (case_id, clue_id) SELECT $1, unnest($2::uuid[])', [row.id, clues.map((c) => ids[c])]);
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
  const [{ id: userId }] = await q(`SELECT id FROM app_user WHERE username = 'yb-610302-leader'`);
  await q(`INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES
    ('I610302', '渭滨区人民医院', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610302'),
    ('I610303', '金台区中医医院', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610303')`);
  await q(`INSERT INTO person (person_id, name, region_code, id_number_masked) VALUES
    ('P1', '张三', '610302', '610302********1234'), ('P2', '李四', '610302', NULL),
    ('P3', '王五', '610303', NULL), ('P4', '赵六', '610302', NULL)`);
  // P2 is P1's spouse; P2 is also the subject of a 金台区 clue (Z) that 渭滨区 医保 cannot see.
  await q(
    `INSERT INTO person_relation (person_a, person_b, kind) VALUES ('P1', 'P2', 'SPOUSE'), ('P2', 'P3', 'SAME_PHONE')`,
  );

  await clue('A', '610302', 'yb-610302', ['P1']);
  await clue('B', '610302', 'yb-610302', []);
  await clue('Z', '610303', 'yb-610303', ['P2', 'P3']);
  await kase('K1', '610302', 'yb-610302', ['A']);
  // The 一案双查 accountability case of 渭滨区纪委, without clues: 医保 cannot see it.
  await kase('K2', '610302', 'jw-610302', []);
  await q(`INSERT INTO case_relation (case_id, other_case_id, kind) VALUES ($1, $2, 'DUAL_INVESTIGATION')`, [
    ids.K1,
    ids.K2,
  ]);
  const [transfer] = await q(
    `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by,
      accept_deadline, clue_status_before)
     VALUES ($1, $2, $3, '涉嫌犯罪', 'PENDING', $4, now() + interval '5 days', 'ASSIGNED') RETURNING id`,
    [ids.A, dept['yb-610302'], dept['ga-610302'], userId],
  );
  ids.T1 = transfer.id;

  [{ present: hasHits }] = await q(`SELECT to_regclass('collision_hit') IS NOT NULL AS present`);
  if (hasHits) {
    const [run] = await q(
      `INSERT INTO collision_run (models, from_date, to_date, status)
        VALUES ('{DEATH_AFTER}', '2025-03-01', '2025-03-31', 'SUCCEEDED') RETURNING id`,
    );
    const [hit] = await q(
      `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids,
        settlement_ids,
                                  first_run_id, last_run_id, clue_id)
       VALUES ('DEATH_AFTER', 'P1|S1', 100.00, 'I610302', '610302', '{P1,P4}', '{S1}', $1, $1, $2) RETURNING id`,
      [run.id, ids.A],
    );
    ids.H1 = hit.id;
  }
});
afterAll(() => t?.close());

describe('caseGraph', () => {
  it('expands one hop from a clue: hits, institution, persons, case, transfers, owner', async () => {
    const g = await graphOk('yb-610302-investigator', gid.clue('A'), 1);
    expect(g.truncated).toBe(false);
    expect(g.nodes[0]).toEqual({ id: gid.clue('A'), type: 'Clue', label: 'A 线索A', depth: 0 });
    const expected = [
      ['Case', 'K1'],
      ['ClueTransfer', '移送 A → 渭滨区公安局'],
      ['Department', '渭滨区医疗保障局'],
      ['Institution', '渭滨区人民医院'],
      ['Person', '张三'],
      ...(hasHits ? [['CollisionHit', 'DEATH_AFTER P1|S1']] : []),
    ];
    expect(
      g.nodes
        .slice(1)
        .map((n) => [n.type, n.label])
        .sort(),
    ).toEqual(expected.sort());
    expect(g.nodes.slice(1).every((n) => n.depth === 1)).toBe(true);
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { from: gid.clue('A'), to: gid.person('P1'), kind: 'SUBJECT' },
        { from: gid.case('K1'), to: gid.clue('A'), kind: 'CLUE' },
        { from: gid.clue('A'), to: gid.institution('I610302'), kind: 'INSTITUTION' },
        { from: gid.clue('A'), to: gid.department('yb-610302'), kind: 'OWNER' },
        { from: gid.clue('A'), to: toGlobalId('ClueTransfer', ids.T1), kind: 'TRANSFER' },
      ]),
    );
    expect(g.edges).toHaveLength(expected.length);
    // Labels never carry ID numbers.
    expect(JSON.stringify(g)).not.toContain('610302********');
  });

  it('goes deeper with depth, through relations, without showing what the caller cannot see', async () => {
    const g = await graphOk('yb-610302-investigator', gid.clue('A'), 3);
    // P2 (P1's spouse, 渭滨区) appears; the 金台区 clue Z P2 is the subject of does not, nor K2 (纪委's case).
    expect(labels(g, 'Person')).toEqual(expect.arrayContaining(['张三', '李四']));
    expect(g.edges).toContainEqual({ from: gid.person('P1'), to: gid.person('P2'), kind: 'SPOUSE' });
    expect(labels(g, 'Clue')).toEqual(['A 线索A', 'B 线索B']);
    expect(labels(g, 'Case')).toEqual(['K1']);
    expect(labels(g, 'Department')).toEqual(['渭滨区公安局', '渭滨区医疗保障局']);
    // 王五 (金台区) is related to 李四 but outside 渭滨区 and on no clue 渭滨区 医保 sees.
    expect(labels(g, 'Person')).not.toContain('王五');
    if (hasHits) expect(labels(g, 'Person')).toContain('赵六');
    const person = g.nodes.find((n) => n.label === '李四')!;
    expect(person.depth).toBe(2);
    const nodeIds = new Set(g.nodes.map((n) => n.id));
    expect(g.edges.every((e) => nodeIds.has(e.from) && nodeIds.has(e.to))).toBe(true);
  });

  it('shows more to 纪委 of the province: the other county clue and the accountability case', async () => {
    const g = await graphOk('jw-610000-leader', gid.clue('A'), 3);
    expect(labels(g, 'Clue')).toEqual(expect.arrayContaining(['Z 线索Z']));
    expect(labels(g, 'Case')).toEqual(['K1', 'K2']);
    expect(g.edges).toContainEqual({ from: gid.case('K1'), to: gid.case('K2'), kind: 'DUAL_INVESTIGATION' });
    expect(labels(g, 'Person')).toEqual(expect.arrayContaining(['王五']));
  });

  it('starts from a person, an institution or a case', async () => {
    const fromPerson = await graphOk('yb-610302-investigator', gid.person('P1'), 1);
    expect(labels(fromPerson)).toEqual(expect.arrayContaining(['张三', '李四', 'A 线索A']));
    const fromInstitution = await graphOk('yb-610302-investigator', gid.institution('I610302'), 1);
    expect(labels(fromInstitution, 'Clue')).toEqual(['A 线索A', 'B 线索B']);
    const fromCase = await graphOk('yb-610302-investigator', gid.case('K1'), 2);
    expect(labels(fromCase, 'Clue')).toEqual(['A 线索A', 'B 线索B']);
    expect(fromCase.nodes.map((n) => n.id)).toContain(gid.department('yb-610302'));
  });

  it('sets truncated when the limit stops the expansion', async () => {
    const g = await graphOk('yb-610302-investigator', gid.clue('A'), 3, 4);
    expect(g.truncated).toBe(true);
    expect(g.nodes).toHaveLength(4);
    const nodeIds = new Set(g.nodes.map((n) => n.id));
    expect(g.edges.every((e) => nodeIds.has(e.from) && nodeIds.has(e.to))).toBe(true);
    const depthZero = await graphOk('yb-610302-investigator', gid.clue('A'), 0);
    expect(depthZero).toEqual({ nodes: [expect.objectContaining({ id: gid.clue('A') })], edges: [], truncated: false });
  });

  it('is NOT_FOUND for a root the caller cannot see or that does not exist', async () => {
    const codeOf = async (user: string, id: string) => code(await graph(user, id));
    expect(await codeOf('yb-610303-leader', gid.clue('A'))).toBe('NOT_FOUND');
    expect(await codeOf('yb-610302-investigator', gid.clue('Z'))).toBe('NOT_FOUND');
    expect(await codeOf('yb-610302-investigator', gid.case('K2'))).toBe('NOT_FOUND');
    expect(await codeOf('yb-610302-investigator', toGlobalId('Clue', '00000000-0000-0000-0000-000000000000'))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf('yb-610302-investigator', toGlobalId('Clue', 'not-a-uuid'))).toBe('NOT_FOUND');
    // Police look nothing up: a person is visible to them only through a clue they see.
    expect(await codeOf('ga-610303-investigator', gid.person('P1'))).toBe('NOT_FOUND');
    expect(await codeOf('yb-610302-investigator', toGlobalId('User', 'x'))).toBe('BAD_USER_INPUT');
  });

  it('gives node ids that node(id:) resolves', async () => {
    const g = await graphOk('yb-610302-investigator', gid.clue('A'), 2);
    const fetched = ['Clue', 'Case', 'ClueTransfer', 'Department', 'Institution', 'Person'];
    for (const n of g.nodes.filter((x) => fetched.includes(x.type))) {
      const res = await gql('yb-610302-investigator', 'query($id: ID!) { node(id: $id) { id __typename } }', {
        id: n.id,
      });
      expect(res.data?.node).toEqual({ id: n.id, __typename: n.type });
    }
  });
});
