/**
 * Who reads and who issues a document (文书), as a table: every role × agency × relation of the
 * caller's department to the document. The expectations are the spec and the decisions of
 * docs/OUTCOMES.md "Inspections and documents" written as code (never read off src/policy):
 *
 *   - A 通报 (PUBLIC_NOTICE) is read by every user whose department lies in the issuer's
 *     jurisdiction (the issuer's region and below), whatever the agency and role (ADMINs too:
 *     names are masked).
 *   - The other kinds: the issuing and receiving departments (every role but ADMIN), and 纪委
 *     whose jurisdiction covers the issuer's region — who also read the 通报 (纪委 above a
 *     county reads that county's 通报 as everything else of its jurisdiction).
 *   - issueDocument: LEADERs and SUPERVISORs; a 纪检监察建议书 only by 纪委 (FORBIDDEN, audited).
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CITY,
  COUNTY,
  covers,
  Dept,
  expectCompleteMatrix,
  FAR,
  KINDS,
  Kind,
  matrixRows,
  MatrixSession,
  NEIGHBOUR,
  OTHER,
  Outcome,
  same,
  THIRD,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { seedWorkflowFixtures } from '../support/workflow-fixtures';

interface DocumentFacts {
  issuer: Dept;
  recipient: Dept;
}

/** What a document of each family shows the actor: [the 通报, the other kinds]. */
function expectedNotice(actor: Actor, f: DocumentFacts): Outcome {
  return covers(f.issuer.region, actor.region) || expectedLetter(actor, f) === 'READ' ? 'READ' : 'NONE';
}
function expectedLetter(actor: Actor, f: DocumentFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const party = same(actor, f.issuer) || same(actor, f.recipient);
  const discipline = actor.kind === 'DISCIPLINE' && covers(actor.region, f.issuer.region);
  return party || discipline ? 'READ' : 'NONE';
}

interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): DocumentFacts;
}
const RELATIONS: Relation[] = [
  {
    name: 'issuing department',
    actorRegion: CITY,
    facts: (k) => ({ issuer: { kind: k, region: CITY }, recipient: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'receiving department',
    actorRegion: COUNTY,
    facts: (k) => ({ issuer: { kind: OTHER[k], region: CITY }, recipient: { kind: k, region: COUNTY } }),
  },
  {
    name: 'receiving department in another city',
    actorRegion: FAR,
    facts: (k) => ({ issuer: { kind: OTHER[k], region: CITY }, recipient: { kind: k, region: FAR } }),
  },
  {
    name: "another department below the issuer's region",
    actorRegion: NEIGHBOUR,
    facts: (k) => ({ issuer: { kind: OTHER[k], region: CITY }, recipient: { kind: THIRD[k], region: COUNTY } }),
  },
  {
    name: 'same kind, city above a county issuer',
    actorRegion: CITY,
    facts: (k) => ({ issuer: { kind: k, region: COUNTY }, recipient: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: FAR,
    facts: (k) => ({ issuer: { kind: OTHER[k], region: CITY }, recipient: { kind: THIRD[k], region: COUNTY } }),
  },
];

const ROWS = matrixRows(
  RELATIONS,
  (a: Actor, f: DocumentFacts) => [expectedNotice(a, f), expectedLetter(a, f)] as const,
  [],
);

describe('document access matrix (PRODUCT.md §9, §6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  const shared = new Map<string, { notice: string; letter: string }>();
  let seq = 0;

  const deptRow = async (d: Dept): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [d.kind, d.region]))[0]
      .id;

  /** A document inserted as issued (no timeline: access is tested). */
  async function insertDocument(f: DocumentFacts, kind: string): Promise<string> {
    seq += 1;
    const n = seq;
    const issuer = await deptRow(f.issuer);
    const [row] = await t.services.db.query(
      `INSERT INTO document (kind, number, prefix, year, seq, title, body, issuer_department_id, region_code, status, issued_by)
       SELECT $1, '矩阵〔2026〕' || $2::text || '号', '矩阵', 2026, $2::int, '矩阵文书', '……', $3, $4, 'ISSUED', u.id
       FROM app_user u WHERE u.department_id = $3 LIMIT 1 RETURNING id`,
      [kind, n, issuer, f.issuer.region],
    );
    await t.services.db.query('INSERT INTO document_recipient (document_id, department_id) VALUES ($1, $2)', [
      row.id,
      await deptRow(f.recipient),
    ]);
    return toGlobalId('Document', row.id);
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    for (const relation of RELATIONS) {
      for (const kind of KINDS) {
        const facts = relation.facts(kind);
        shared.set(`${relation.name}|${kind}`, {
          notice: await insertDocument(facts, 'PUBLIC_NOTICE'),
          letter: await insertDocument(facts, 'WORK_SUGGESTION'),
        });
      }
    }
  });
  afterAll(() => t?.close());

  it('the table covers every role, agency and relation, and has every outcome', () => {
    expectCompleteMatrix(ROWS, RELATIONS);
    expect([...new Set(ROWS.map((r) => r.outcome.join('/')))].sort()).toEqual(['NONE/NONE', 'READ/NONE', 'READ/READ']);
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(ROWS.filter((r) => r.relation === relation).map((r) => [who(r.actor), r.outcome.join('/'), r] as const))(
      '%s → 通报/other %s',
      async (_who, _outcome, row) => {
        const { actor } = row;
        const own = shared.get(`${relation.name}|${actor.kind}`)!;
        const [notice, letter] = row.outcome.map((o) => o === 'READ');
        const read = await s.gql(actor, `query($n: ID!, $l: ID!) { n: node(id: $n) { id } l: node(id: $l) { id } }`, {
          n: own.notice,
          l: own.letter,
        });
        expect(read.errors).toBeUndefined();
        const list = await s.list(actor, 'documents');
        expect({ notice: read.data.n !== null, letter: read.data.l !== null }).toEqual({ notice, letter });
        expect({ notice: list.has(own.notice), letter: list.has(own.letter) }).toEqual({ notice, letter });

        // Issuing: leaders and section heads; a 纪检监察建议书 only by 纪委.
        const recipient = await toGlobalId('Department', await deptRow({ kind: 'HEALTH', region: COUNTY }));
        const issues = ['INTERVIEW_RECORD', 'DISCIPLINE_RECOMMENDATION'];
        const got = await Promise.all(
          issues.map(async (kind) => {
            const res = await s.gql(
              actor,
              `mutation($k: DocumentKind!, $r: ID!) { issueDocument(input: { kind: $k, title: "矩阵", body: "……",
                 recipientDepartmentIds: [$r] }) { id } }`,
              { k: kind, r: recipient },
            );
            return res.errors?.[0]?.extensions?.code ?? 'OK';
          }),
        );
        const issuer = ['LEADER', 'SUPERVISOR'].includes(actor.role);
        expect(got).toEqual([issuer ? 'OK' : 'FORBIDDEN', issuer && actor.kind === 'DISCIPLINE' ? 'OK' : 'FORBIDDEN']);
      },
    );
  });

  it('every refused issueDocument was audited as a denial', async () => {
    const [row] = await t.services.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'denied' AND detail->>'field' = 'Mutation.issueDocument'`,
    );
    // Per relation and agency: ANALYST, ADMIN, INVESTIGATOR twice each; LEADER and SUPERVISOR of non-纪委 once each.
    expect(row.n).toBe(RELATIONS.length * (KINDS.length * 6 + 3 * 2));
  });
});
