/**
 * The case's content events (ADD_SANCTION, ADD_RECTIFICATION, COMPLETE_RECTIFICATION, LINK)
 * as events of the case machine, rectification items as measures of the measure machine (the
 * case path's one-step COMPLETE, versioned) and the migration that versioned rectification
 * items (run between the down and up of the migration that turned them into measures).
 */
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { rowId, toGlobalId } from '../../src/core/ids';
import { loadActor } from '../../src/domain/auth/auth.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { caseMachine, CASE_TRANSITIONS } from '../../src/domain/case/case.machine';
import { measureMachine } from '../../src/domain/problem/measure.machine';
import { completeRectification } from '../../src/domain/case/case.service';
import { RectificationVersion1763900600000 } from '../../migrations/1763900600000-rectification-version';
import { RectificationMeasures1763900930000 } from '../../migrations/1763900930000-rectification-measures';
import { allowedEvents, Party } from '../../src/workflow/machine';

const OPEN = `mutation($i: OpenCaseInput!) { openCase(input: $i) { id version } }`;
const TRANSITION = `mutation($id: ID!, $e: CaseEvent!) { transitionCase(caseId: $id, event: $e) { id status version } }`;
const ADD_SANCTION = 'mutation($i: AddSanctionInput!) { addSanction(input: $i) { id } }';
const ADD_RECTIFICATION = 'mutation($i: AddRectificationInput!) { addRectification(input: $i) { id status } }';
const COMPLETE_RECTIFICATION =
  'mutation($id: ID!, $n: String!) { completeRectification(id: $id, note: $n) { id status note } }';
const CASE = `query($id: ID!) { case(id: $id) { status version allowedEvents timeline { event from to } } }`;

const INVESTIGATOR = 'yb-610302-investigator';
const RECTIFIER = 'wj-610302-investigator';

describe('case content events and rectification items as measures', () => {
  let t: TestApi;
  const tokens: Record<string, string> = {};
  let clueSeq = 0;
  const gql = async (username: string, query: string, variables: Record<string, unknown> = {}) =>
    t.gql(query, variables, (tokens[username] ??= await t.login(username)));
  const departmentId = async (kind: string, region: string): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [kind, region]))[0].id;
  const userId = async (username: string): Promise<string> =>
    (await t.services.db.query('SELECT id FROM app_user WHERE username = $1', [username]))[0].id;

  async function openCase(): Promise<string> {
    clueSeq += 1;
    const [clue] = await t.services.db.query(
      `INSERT INTO clue (code, title, source, status, region_code, owner_department_id, institution_code, amount_involved)
       VALUES ($1, $2, 'INSPECTION', 'SUBSTANTIATED', '610302', $3, 'H6103020001', '5000.00') RETURNING id`,
      [`XS-SHAPE-${clueSeq}`, `线索${clueSeq}`, await departmentId('MEDICAL_INSURANCE', '610302')],
    );
    const res = await gql(INVESTIGATOR, OPEN, { i: { clueIds: [toGlobalId('Clue', clue.id)], title: '形状测试案件' } });
    expect(res.errors).toBeUndefined();
    return res.data.openCase.id;
  }
  const transition = (id: string, e: string) => gql(INVESTIGATOR, TRANSITION, { id, e });
  const sanction = (caseId: string) =>
    gql(INVESTIGATOR, ADD_SANCTION, { i: { caseId, kind: 'INTERVIEW', institutionCode: 'H6103020001' } });
  const rectification = async (caseId: string) =>
    gql(INVESTIGATOR, ADD_RECTIFICATION, {
      i: {
        caseId,
        description: '完善制度',
        ownerDepartmentId: toGlobalId('Department', await departmentId('HEALTH', '610302')),
        deadline: '2099-12-31',
      },
    });

  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    await t.services.db.query(
      `INSERT INTO institution (code, name, kind, level, ownership, region_code)
       VALUES ('H6103020001', '渭滨区某民营医院', 'HOSPITAL', 'SECONDARY', 'PRIVATE', '610302')`,
    );
  });
  afterAll(() => t.close());

  describe('ADD_SANCTION, an event of the case machine that keeps the state', () => {
    it('is INVALID_TRANSITION naming the state where the machine does not allow it', async () => {
      const id = await openCase();
      const res = await sanction(id);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'FILED' });
      expect(res.errors?.[0]?.message).toMatch(
        /Case is FILED \(立案\): ADD_SANCTION .* allowed only from INVESTIGATING, REVIEWING, DECIDED/,
      );
    });

    it('is among the machine’s allowed events exactly where sanctions are recorded, for the owner only', () => {
      const owner = new Set<Party>(['OWNER']);
      const where = Object.keys(caseMachine.states).filter((s) =>
        allowedEvents(caseMachine, s as keyof typeof caseMachine.states, owner).includes('ADD_SANCTION'),
      );
      expect(where).toEqual(['INVESTIGATING', 'REVIEWING', 'DECIDED']);
      expect(allowedEvents(caseMachine, 'INVESTIGATING', new Set<Party>(['RECTIFIER']))).not.toContain('ADD_SANCTION');
      // Case.allowedEvents (the GraphQL field) lists the transitions only: content events have their own mutations.
      expect(CASE_TRANSITIONS).not.toContain('ADD_SANCTION');
    });

    it('bumps the case version, appends to the timeline and audits, with the sanction in the same transaction', async () => {
      const id = await openCase();
      await transition(id, 'START_INVESTIGATION');
      const res = await sanction(id);
      expect(res.errors).toBeUndefined();
      const read = (await gql(INVESTIGATOR, CASE, { id })).data.case;
      expect(read).toMatchObject({ status: 'INVESTIGATING', version: 3, allowedEvents: ['SUBMIT_FOR_REVIEW'] });
      expect(read.timeline.at(-1)).toEqual({ event: 'ADD_SANCTION', from: 'INVESTIGATING', to: 'INVESTIGATING' });
      const [audit] = await t.services.db.query(
        `SELECT detail FROM audit_log WHERE action = 'Case.ADD_SANCTION' AND target_id = $1`,
        [id],
      );
      expect(audit.detail).toMatchObject({ from: 'INVESTIGATING', to: 'INVESTIGATING', version: 3 });
      expect(audit.detail.sanctionId).toBe(res.data.addSanction.id);

      // An unknown target rolls the whole event back: no version, no timeline entry, no sanction.
      const unknown = await gql(INVESTIGATOR, ADD_SANCTION, {
        i: { caseId: id, kind: 'INTERVIEW', personId: 'NOBODY' },
      });
      expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const after = (await gql(INVESTIGATOR, CASE, { id })).data.case;
      expect(after.version).toBe(3);
      expect(after.timeline.filter((e: { event: string }) => e.event === 'ADD_SANCTION')).toHaveLength(1);
    });
  });

  describe('rectification items as measures (measure machine, one-step COMPLETE: OPEN → ACCEPTED)', () => {
    let caseId: string;
    beforeAll(async () => {
      caseId = await openCase();
      await transition(caseId, 'START_INVESTIGATION');
      await transition(caseId, 'SUBMIT_FOR_REVIEW');
    });

    it('is added with ADD on the measure’s timeline and the case’s ADD_RECTIFICATION', async () => {
      const item = await rectification(caseId);
      expect(item.errors).toBeUndefined();
      const [issued] = await t.services.db.query(
        `SELECT from_state, to_state, event FROM state_change WHERE entity_type = 'RectificationMeasure' AND entity_id = $1`,
        [rowId(item.data.addRectification.id, 'RectificationItem')],
      );
      expect(issued).toEqual({ from_state: null, to_state: 'OPEN', event: 'ADD' });
      expect(measureMachine.creation.ADD.to).toBe('OPEN');
    });

    it('COMPLETE twice is INVALID_TRANSITION naming ACCEPTED', async () => {
      const itemId = (await rectification(caseId)).data.addRectification.id;
      const done = await gql(RECTIFIER, COMPLETE_RECTIFICATION, { id: itemId, n: '已整改' });
      expect(done.errors).toBeUndefined();
      expect(done.data.completeRectification).toMatchObject({ status: 'DONE', note: '已整改' });
      const again = await gql(INVESTIGATOR, COMPLETE_RECTIFICATION, { id: itemId, n: '再次' });
      expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'ACCEPTED' });
      expect(again.errors?.[0]?.message).toContain('RectificationMeasure is ACCEPTED (已验收)');
      const measureId = rowId(itemId, 'RectificationItem');
      const [row] = await t.services.db.query(
        'SELECT version, status, acceptance_note AS note FROM rectification_measure WHERE id = $1',
        [measureId],
      );
      expect(row).toEqual({ version: 2, status: 'ACCEPTED', note: '已整改' });
      const audited = await t.services.db.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [
        toGlobalId('RectificationMeasure', measureId),
      ]);
      expect(audited.map((a: { action: string }) => a.action)).toContain('RectificationMeasure.COMPLETE');
    });

    it('a stale version is VERSION_CONFLICT', async () => {
      const itemId = (await rectification(caseId)).data.addRectification.id;
      const actor = await loadActor(t.services, await userId(RECTIFIER));
      await expect(
        completeRectification(t.services, actor, itemId, '已整改', { expectedVersion: 2 }),
      ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', extra: { currentVersion: 1 } });
      const done = await completeRectification(t.services, actor, itemId, '已整改', { expectedVersion: 1 });
      expect(done).toMatchObject({ status: 'DONE', version: 2 });
    });

    it('the case records COMPLETE_RECTIFICATION, keeping its state', async () => {
      const read = (await gql(INVESTIGATOR, CASE, { id: caseId })).data.case;
      const completions = read.timeline.filter((e: { event: string }) => e.event === 'COMPLETE_RECTIFICATION');
      expect(completions).toEqual([
        { event: 'COMPLETE_RECTIFICATION', from: 'REVIEWING', to: 'REVIEWING' },
        { event: 'COMPLETE_RECTIFICATION', from: 'REVIEWING', to: 'REVIEWING' },
      ]);
    });
  });

  describe('the migration versioning rectification items', () => {
    it('keeps every existing row and starts it at version 1', async () => {
      const caseId = await openCase();
      await transition(caseId, 'START_INVESTIGATION');
      await transition(caseId, 'SUBMIT_FOR_REVIEW');
      expect((await rectification(caseId)).errors).toBeUndefined();
      const migration = new RectificationVersion1763900600000();
      const toMeasures = new RectificationMeasures1763900930000();
      const runner = t.services.db.createQueryRunner();
      try {
        // rectification_item exists again below the migration that turned items into measures.
        await toMeasures.down(runner);
        await migration.down(runner);
        // A row written before the migration: no version column yet.
        await runner.query(
          `INSERT INTO rectification_item (case_id, description, owner_department_id, deadline, status, completed_at, note)
           SELECT id, '迁移前的整改事项', owner_department_id, '2099-06-30', 'DONE', now(), '迁移前已整改' FROM "case"
           WHERE id = $1`,
          [rowId(caseId, 'Case')],
        );
        const before: { id: string; status: string; note: string | null }[] = await runner.query(
          'SELECT id, status, note FROM rectification_item ORDER BY id',
        );
        await migration.up(runner);
        const after: { id: string; status: string; note: string | null; version: number }[] = await runner.query(
          'SELECT id, status, note, version FROM rectification_item ORDER BY id',
        );
        expect(after.map(({ version: _v, ...row }) => row)).toEqual(before);
        expect(after.length).toBeGreaterThan(1);
        expect(new Set(after.map((r) => r.version))).toEqual(new Set([1]));
        await toMeasures.up(runner);
      } finally {
        await runner.release();
      }
    });
  });
});
