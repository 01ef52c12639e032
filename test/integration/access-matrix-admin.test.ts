/**
 * Who administers users and settings, and who finds a person by ID number (issue 13 items 3
 * and 4; PRODUCT.md §6), as a table: every role × agency × relation of the caller's region to
 * the target's. The expectations are the spec written as code in test/support/access-matrix.ts
 * (userAdminCode, settingsCode, idSearchOutcome), never read off src/policy.
 */
import { toGlobalId } from '../../src/core/ids';
import { createUser } from '../../src/domain/auth/auth.service';
import { keyedHash } from '../../src/domain/reference/personal-data';
import {
  Actor,
  CITY,
  COUNTY,
  expectCompleteMatrix,
  FAR,
  idSearchOutcome,
  KINDS,
  MatrixSession,
  NEIGHBOUR,
  ROLES,
  settingsCode,
  userAdminCode,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { code } from '../support/client';
import { departmentIdOf, seedWorkflowFixtures } from '../support/workflow-fixtures';

interface Relation {
  name: string;
  actorRegion: string;
  targetRegion: string;
}
const RELATIONS: Relation[] = [
  { name: 'target in own county', actorRegion: COUNTY, targetRegion: COUNTY },
  { name: 'target in a county below', actorRegion: CITY, targetRegion: COUNTY },
  { name: 'target in the neighbouring county', actorRegion: NEIGHBOUR, targetRegion: COUNTY },
  { name: 'target in another city', actorRegion: COUNTY, targetRegion: FAR },
];
const TARGET_REGIONS = [COUNTY, FAR];
/** A valid resident ID number per target region (check character computed by hand). */
const ID_NUMBERS: Record<string, string> = { [COUNTY]: '610302199001011232', [FAR]: '610402198505050017' };

const MUTATIONS = [
  {
    name: 'updateUser',
    query: 'mutation($id: ID!) { updateUser(input: { userId: $id, displayName: "矩阵改名" }) { id } }',
  },
  { name: 'deactivateUser', query: 'mutation($id: ID!) { deactivateUser(userId: $id) { id } }' },
  { name: 'reactivateUser', query: 'mutation($id: ID!) { reactivateUser(userId: $id) { id } }' },
  {
    name: 'resetPassword',
    query: 'mutation($id: ID!) { resetPassword(userId: $id, newPassword: "matrix-temp-pass-01") { id } }',
  },
] as const;

const ROWS = RELATIONS.flatMap((relation) =>
  KINDS.flatMap((kind) =>
    ROLES.map((role) => {
      const actor: Actor = { kind, region: relation.actorRegion, role };
      return {
        relation,
        actor,
        user: userAdminCode(actor, relation.targetRegion),
        settings: settingsCode(actor, relation.targetRegion),
        search: idSearchOutcome(actor, relation.targetRegion),
      };
    }),
  ),
);

describe('access matrix: administration and the person search (§6)', () => {
  let t: TestApi;
  let session: MatrixSession;
  const targets: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    session = new MatrixSession(t);
    for (const region of TARGET_REGIONS) {
      const user = await createUser(t.services, {
        username: `target-${region}`,
        password: 'matrix-target-pass-01',
        displayName: '矩阵对象',
        departmentId: await departmentIdOf(t.services, 'HEALTH', region),
        roles: ['INVESTIGATOR'],
      });
      targets[region] = toGlobalId('User', user.id);
      // Only the keyed hash is stored (no ciphertext): a search that decrypted could not find them.
      await t.services.db.query(
        `INSERT INTO person (person_id, name, region_code, id_number_hash, id_number_masked) VALUES ($1, '矩阵人员', $2, $3, '610***')`,
        [`PM${region}`, region, keyedHash(t.services.personalDataKeys, ID_NUMBERS[region])],
      );
    }
  });
  afterAll(() => t.close());

  it('the table covers every role, agency and relation, and has every outcome', () => {
    expectCompleteMatrix(ROWS, RELATIONS, []);
    expect(new Set(ROWS.map((r) => r.user))).toEqual(new Set(['OK', 'FORBIDDEN', 'NOT_FOUND']));
    expect(new Set(ROWS.map((r) => r.settings))).toEqual(new Set(['OK', 'FORBIDDEN']));
    expect(new Set(ROWS.map((r) => r.search))).toEqual(new Set(['FOUND', 'NULL', 'FORBIDDEN']));
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(ROWS.filter((r) => r.relation === relation).map((r) => [who(r.actor), r] as const))(
      '%s',
      async (_who, row) => {
        const { actor } = row;
        const id = targets[relation.targetRegion];
        const results = [];
        for (const m of MUTATIONS) {
          results.push(await session.mutate(actor, m.name, m.query, { id }, id, row.user));
        }
        // deactivateUser ran before reactivateUser: the target is active again either way.
        const settings = await session.mutate(
          actor,
          'setRegionSetting',
          'mutation($r: String!) { setRegionSetting(regionCode: $r, key: "supervisionReminderHours", value: 24) { key } }',
          { r: relation.targetRegion },
          relation.targetRegion,
          row.settings,
        );
        results.push(settings);
        results.push(
          await session.mutate(
            actor,
            'setModelParameters',
            'mutation($r: String!) { setModelParameters(regionCode: $r, model: BED_HANGING, params: { minLengthOfStay: 3 }) { model } }',
            { r: relation.targetRegion },
            relation.targetRegion,
            row.settings,
          ),
        );

        const list = await session.gql(
          actor,
          '{ users(first: 100, filter: { search: "target-" }) { edges { node { id } } } }',
        );
        const listed = list.errors
          ? String(code(list))
          : list.data.users.edges.some((e: { node: { id: string } }) => e.node.id === id);
        const wantListed = row.user === 'FORBIDDEN' ? 'FORBIDDEN' : row.user === 'OK';
        const read = await session.gql(
          actor,
          'query($r: String!) { regionSettings(regionCode: $r) { key } modelParameters(regionCode: $r) { model } }',
          { r: relation.targetRegion },
        );
        const search = await session.gql(actor, 'query($n: String!) { personByIdNumber(idNumber: $n) { personId } }', {
          n: ID_NUMBERS[relation.targetRegion],
        });
        const found = search.errors
          ? String(code(search))
          : search.data.personByIdNumber
            ? search.data.personByIdNumber.personId === `PM${relation.targetRegion}` && 'FOUND'
            : 'NULL';
        expect({
          mutations: results,
          listed,
          settingsRead: read.errors ? String(code(read)) : 'OK',
          search: found,
        }).toEqual({
          mutations: [
            ...MUTATIONS.map((m) => ({ mutation: m.name, result: row.user })),
            { mutation: 'setRegionSetting', result: row.settings },
            { mutation: 'setModelParameters', result: row.settings },
          ],
          listed: wantListed,
          settingsRead: row.settings,
          search: row.search,
        });
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(session.denials).toBeGreaterThan(100);
    expect(await session.unauditedDenials()).toEqual([]);
  });

  it('every search by ID number was audited (masked), found or not, and no entry holds a full number', async () => {
    const searches = ROWS.filter((r) => r.search !== 'FORBIDDEN');
    const entries: { found: boolean; id_number: string }[] = await t.services.db.query(
      `SELECT (detail->>'found')::boolean AS found, detail->>'idNumber' AS id_number FROM audit_log WHERE action = 'personal-data.search'`,
    );
    expect(entries).toHaveLength(searches.length);
    expect(entries.filter((e) => e.found)).toHaveLength(searches.filter((r) => r.search === 'FOUND').length);
    const log = JSON.stringify(await t.services.db.query('SELECT detail FROM audit_log'));
    for (const n of Object.values(ID_NUMBERS)) expect(log).not.toContain(n);
  });
});
