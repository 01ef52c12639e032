/**
 * Who verifies collision hits (疑点核查: PRODUCT.md §9 "Hit verification", §6), as a table:
 * every role × every agency × every relation of the caller's department to the hit's clue,
 * for CONFIRM, EXCLUDE and REVERSE. The expectations are the spec written as code (never
 * read off src/policy):
 *
 *   - A hit is seen by 医保 and 纪委 users whose jurisdiction covers its institution's region
 *     (collision jurisdiction), and by whoever sees its clue (clueOutcome); ADMINs see none.
 *   - CONFIRM and EXCLUDE (verifyHits on a PENDING hit): only the INVESTIGATOR, SUPERVISOR or
 *     LEADER of the clue's owning department.
 *   - REVERSE (verifyHits on a verified hit, with a reason): only a SUPERVISOR (section head)
 *     of the owning department.
 *   - Anyone else who sees the hit is FORBIDDEN (and audited); an unseen hit is NOT_FOUND.
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CITY,
  ClueFacts,
  clueOutcome,
  Code,
  COUNTY,
  covers,
  expectCompleteMatrix,
  FAR,
  insertClueWithFacts,
  isCaseWorker,
  Kind,
  KINDS,
  MatrixSession,
  matrixRows,
  NEIGHBOUR,
  OTHER,
  Outcome,
  same,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** The hit's institution lies in its clue's region. */
const INSTITUTION: Record<string, string> = {
  [COUNTY]: 'H610302001',
  [NEIGHBOUR]: 'H610303001',
  [FAR]: 'Y610402001',
};

/** PRODUCT.md §6/§9 for a hit, as code: seen by collision jurisdiction or through its clue. */
function expectedHit(actor: Actor, clue: ClueFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const collision = ['MEDICAL_INSURANCE', 'DISCIPLINE'].includes(actor.kind) && covers(actor.region, clue.clueRegion);
  if (!collision && clueOutcome(actor, clue) === 'NONE') return 'NONE';
  return same(actor, clue.owner) && isCaseWorker(actor) ? 'CHANGE' : 'READ';
}

const verdictCode = (actor: Actor, clue: ClueFacts): Code => {
  const outcome = expectedHit(actor, clue);
  return outcome === 'NONE' ? 'NOT_FOUND' : outcome === 'CHANGE' ? 'OK' : 'FORBIDDEN';
};
const reverseCode = (actor: Actor, clue: ClueFacts): Code => {
  const outcome = expectedHit(actor, clue);
  if (outcome === 'NONE') return 'NOT_FOUND';
  return same(actor, clue.owner) && actor.role === 'SUPERVISOR' ? 'OK' : 'FORBIDDEN';
};

interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): ClueFacts;
}
const RELATIONS: Relation[] = [
  {
    name: 'owner county',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: k, region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'same-kind city above the owner',
    actorRegion: CITY,
    facts: (k) => ({ owner: { kind: k, region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'other county, same kind',
    actorRegion: NEIGHBOUR,
    facts: (k) => ({ owner: { kind: k, region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'sent the clue by transfer (the receiver owns it now)',
    actorRegion: COUNTY,
    facts: (k) => ({
      owner: { kind: OTHER[k], region: COUNTY },
      clueRegion: COUNTY,
      transfer: { from: { kind: k, region: COUNTY }, to: { kind: OTHER[k], region: COUNTY }, status: 'ACCEPTED' },
    }),
  },
  {
    name: 'other agency, same county',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: OTHER[k], region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: OTHER[k], region: FAR }, clueRegion: FAR }),
  },
];

const VERIFY = `mutation($i: VerifyHitsInput!) { verifyHits(input: $i) { updated hits { id verification } } }`;
interface HitMutation {
  name: string;
  /** The hit's verification before the call. */
  from: 'PENDING' | 'CONFIRMED';
  input: Record<string, unknown>;
  want(actor: Actor, clue: ClueFacts): Code;
}
const MUTATIONS: HitMutation[] = [
  { name: 'CONFIRM', from: 'PENDING', input: { outcome: 'CONFIRMED', note: '属实' }, want: verdictCode },
  {
    name: 'EXCLUDE',
    from: 'PENDING',
    input: { outcome: 'EXCLUDED', exclusionReason: 'DATA_ERROR', note: '数据错误' },
    want: verdictCode,
  },
  { name: 'REVERSE', from: 'CONFIRMED', input: { outcome: 'PENDING', note: '证据不足' }, want: reverseCode },
];

const ROWS = matrixRows(RELATIONS, expectedHit, MUTATIONS);

describe('hit verification access matrix (PRODUCT.md §6, §9)', () => {
  let t: TestApi;
  let s: MatrixSession;
  const clues = new Map<string, string>();
  let runId: string;
  let n = 0;

  /** A fresh hit of the clue in the given verification state; global id. */
  async function hitOf(clueId: string, region: string, verification: string): Promise<string> {
    const [row] = await t.services.db.query(
      `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
         first_run_id, last_run_id, clue_id, verification, confirmed_amount)
       VALUES ('OVER_PRICE', $1, 10, $2, $3, '{}', '{}', $4, $4, $5, $6::text, CASE WHEN $6::text = 'CONFIRMED' THEN 10 END)
       RETURNING id`,
      [`am-${process.pid}-${++n}`, INSTITUTION[region], region, runId, clueId, verification],
    );
    return toGlobalId('CollisionHit', row.id);
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    const [run] = await t.services.db.query(
      `INSERT INTO collision_run (models, from_date, to_date, status, parameters) VALUES ('{OVER_PRICE}', '2025-03-01', '2025-03-31', 'SUCCEEDED', '{}') RETURNING id`,
    );
    runId = run.id;
    for (const relation of RELATIONS) {
      for (const kind of KINDS) {
        const { clueId } = await insertClueWithFacts(t, relation.facts(kind), 'VERIFYING');
        clues.set(`${relation.name}|${kind}`, clueId);
      }
    }
  });
  afterAll(() => t?.close());

  it('the table covers every role, agency and relation, and has every answer', () => {
    expectCompleteMatrix(ROWS, RELATIONS, MUTATIONS);
    expect([...new Set(ROWS.map((r) => r.outcome))].sort()).toEqual(['CHANGE', 'NONE', 'READ']);
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(ROWS.filter((r) => r.relation === relation).map((r) => [who(r.actor), r.outcome, r] as const))(
      '%s → %s',
      async (_who, _outcome, row) => {
        const { actor, facts } = row;
        const clueId = clues.get(`${relation.name}|${actor.kind}`)!;
        const results = [];
        for (const m of MUTATIONS) {
          const hit = await hitOf(clueId, facts.clueRegion, m.from);
          const result = await s.mutate(
            actor,
            'verifyHits',
            VERIFY,
            { i: { hitIds: [hit], ...m.input } },
            hit,
            m.want(actor, facts),
            m.name,
          );
          const [after] = await t.services.db.query('SELECT verification FROM collision_hit WHERE id = $1', [
            rowId(hit),
          ]);
          // A refused call changes nothing.
          if (result.result !== 'OK')
            expect({ mutation: m.name, verification: after.verification }).toEqual({
              mutation: m.name,
              verification: m.from,
            });
          results.push(result);
        }
        expect(results).toEqual(row.wants);
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(s.denials).toBeGreaterThan(50);
    expect(await s.unauditedDenials()).toEqual([]);
  });
});
