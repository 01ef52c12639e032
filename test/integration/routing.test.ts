import { Job, Queue } from 'bullmq';
import { MAINTENANCE_JOBS } from '../../src/core/constants';
import { maintenanceQueue } from '../../workers/maintenance.processor';
import { routeClue } from '../../src/domain/routing/routing.service';
import { OUTBOX_QUEUE } from '../../src/outbox/outbox';
import { OutboxQueues, relayOutbox } from '../../src/outbox/relay';
import { createQueue } from '../../src/queues';
import { startWorkers } from '../../workers';
import { startTestApi, TestApi } from '../support/harness';
import { code } from '../support/client';
import { departmentIdOf, newClue, seedWorkflowFixtures } from '../support/workflow-fixtures';

describe('routing (分办)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
  });
  afterAll(() => t.close());

  const routed = async (overrides: Parameters<typeof newClue>[1], persons: string[] = []) => {
    const clue = await newClue(t.services, { subjectPersonIds: persons, ...overrides });
    const decision = await routeClue(t.services, clue.id);
    const [row] = await t.services.db.query(
      `SELECT c.status, c.routing_rule, d.kind, d.region_code,
              (SELECT array_agg(cd.kind || ':' || cd.region_code) FROM clue_copy cc JOIN department cd ON cd.id = cc.department_id WHERE cc.clue_id = c.id) AS copies
       FROM clue c JOIN department d ON d.id = c.owner_department_id WHERE c.id = $1`,
      [clue.id],
    );
    return { ...row, decision, id: clue.id };
  };

  it('rule 1: a public official among the persons → 纪委 of the county', async () => {
    const r = await routed({}, ['P1', 'P2']);
    expect(r).toMatchObject({ status: 'ASSIGNED', kind: 'DISCIPLINE', region_code: '610302', copies: null });
    expect(r.routing_rule).toMatch(/纪委/);
  });

  it('rule 1: INSIDER_PAYEE → 纪委 even without an official subject', async () => {
    expect(await routed({ model: 'INSIDER_PAYEE' }, ['P2'])).toMatchObject({ kind: 'DISCIPLINE' });
  });

  it('rule 2: amount at the criminal threshold → 公安; just below stays with 医保', async () => {
    expect(await routed({ amountInvolved: '30000.00' })).toMatchObject({
      kind: 'PUBLIC_SECURITY',
      region_code: '610302',
    });
    expect(await routed({ amountInvolved: '29999.99' })).toMatchObject({ kind: 'MEDICAL_INSURANCE' });
  });

  it('rule 2: TRACE_CODE_REUSE with 3 persons → 公安, with 2 → 医保', async () => {
    expect(await routed({ model: 'TRACE_CODE_REUSE' }, ['P2', 'P3', 'P4'])).toMatchObject({ kind: 'PUBLIC_SECURITY' });
    expect(await routed({ model: 'TRACE_CODE_REUSE' }, ['P2', 'P3'])).toMatchObject({ kind: 'MEDICAL_INSURANCE' });
  });

  it('rule 3: medical-practice models → 卫健', async () => {
    for (const model of ['REPEAT_EXAM_IN_STAY', 'LOW_STANDARD_ADMISSION', 'BED_HANGING']) {
      expect(await routed({ model })).toMatchObject({ kind: 'HEALTH', region_code: '610302' });
    }
  });

  it('rule 4: everything else → 医保 of the institution’s county', async () => {
    const r = await routed({ institutionCode: 'H610303001', regionCode: '610303' });
    expect(r).toMatchObject({ kind: 'MEDICAL_INSURANCE', region_code: '610303', routing_rule: '其他 → 医保' });
  });

  it('escalates to the city at ¥500,000 and copies to 纪委 of the same region at ¥100,000', async () => {
    // Rule 2 (criminal threshold) comes before rule 3, so these go to the police.
    const big = await routed({ model: 'BED_HANGING', amountInvolved: '500000.00' });
    expect(big).toMatchObject({ kind: 'PUBLIC_SECURITY', region_code: '610300', copies: ['DISCIPLINE:610300'] });
    const mid = await routed({ model: 'BED_HANGING', amountInvolved: '100000.00' });
    expect(mid).toMatchObject({ kind: 'PUBLIC_SECURITY', region_code: '610302', copies: ['DISCIPLINE:610302'] });
    const below = await routed({ model: 'BED_HANGING', amountInvolved: '99999.99' });
    expect(below).toMatchObject({ kind: 'PUBLIC_SECURITY', copies: null });
    // 纪委 itself gets no copy of its own clue.
    const official = await routed({ amountInvolved: '600000.00' }, ['P1']);
    expect(official).toMatchObject({ kind: 'DISCIPLINE', region_code: '610300', copies: null });
  });

  it('thresholds are per-province data', async () => {
    await t.services.db.query(`INSERT INTO region_setting VALUES ('61', 'criminalThreshold', '"50000.00"')`);
    try {
      expect(await routed({ amountInvolved: '30000.00' })).toMatchObject({ kind: 'MEDICAL_INSURANCE' });
    } finally {
      await t.services.db.query(`DELETE FROM region_setting WHERE region_prefix = '61'`);
    }
  });

  it('records the rule that fired on the timeline, and routes a clue only once', async () => {
    const r = await routed({});
    expect(await routeClue(t.services, r.id)).toEqual({ clueId: r.id, routed: false });
    const timeline = await t.services.db.query(
      `SELECT event, detail FROM state_change WHERE entity_id = $1 ORDER BY id`,
      [r.id],
    );
    expect(timeline.map((e: { event: string }) => e.event)).toEqual(['REGISTER', 'ROUTE']);
    expect(timeline[1].detail).toMatchObject({ position: 4 });
  });

  it('exactly once through the outbox, even when Redis is down when the clue is committed', async () => {
    const token = await t.login('wj-610302-investigator');
    const res = await t.gql(
      `mutation { registerClue(input: { title: "信访: 挂床住院", source: PETITION, description: "群众举报", institutionCode: "H610302001", amountInvolved: "1200.50" }) { id status code } }`,
      {},
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.registerClue.status).toBe('NEW');
    const clueId = Buffer.from(res.data.registerClue.id, 'base64url').toString().split(':')[1];

    // Redis unreachable for the relay: nothing is lost, the row stays unpublished.
    const deadConfig = { ...t.config, redisUrl: 'redis://127.0.0.1:1' };
    const dead = Object.fromEntries(
      Object.entries(OUTBOX_QUEUE).map(([topic, name]) => [
        topic,
        new Queue(name, {
          connection: {
            url: deadConfig.redisUrl,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
          } as never,
          prefix: t.config.queuePrefix,
        }),
      ]),
    ) as OutboxQueues;
    dead['route-clue'].on('error', () => undefined);
    expect(await relayOutbox(t.services, dead)).toBe(0);
    await Promise.all(Object.values(dead).map((q) => q.close().catch(() => undefined)));
    const [pending] = await t.services.db.query(
      `SELECT published_at, attempts, last_error FROM outbox WHERE payload->>'clueId' = $1`,
      [clueId],
    );
    expect(pending.published_at).toBeNull();
    expect(pending.last_error).toBeTruthy();

    // Redis back: the workers relay and route it, once.
    const host = await startWorkers(t.services);
    try {
      for (let i = 0; i < 100; i++) {
        const [c] = await t.services.db.query('SELECT status FROM clue WHERE id = $1', [clueId]);
        if (c.status === 'ASSIGNED') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // A second delivery of the same job changes nothing.
      const again = createQueue(t.config, 'routing');
      await again.add('route-clue', { clueId });
      await new Promise((r) => setTimeout(r, 500));
      await again.close();
    } finally {
      await host.close(2000);
    }
    const [clue] = await t.services.db.query('SELECT status, owner_department_id FROM clue WHERE id = $1', [clueId]);
    expect(clue).toEqual({
      status: 'ASSIGNED',
      owner_department_id: await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610302'),
    });
    const routes = await t.services.db.query(
      `SELECT count(*)::int AS n FROM state_change WHERE entity_id = $1 AND event = 'ROUTE'`,
      [clueId],
    );
    expect(routes[0].n).toBe(1);
    // The registering department still sees the clue it sent.
    const view = await t.gql(
      `query($id: ID!) { clue(id: $id) { status owner { name } routingRule timeline { event } } }`,
      { id: res.data.registerClue.id },
      token,
    );
    expect(view.data.clue).toMatchObject({ status: 'ASSIGNED', owner: { name: '渭滨区医疗保障局' } });
    expect(view.data.clue.timeline.map((e: { event: string }) => e.event)).toEqual(['REGISTER', 'ROUTE']);
  });

  it('admins read and edit the rules; a malformed condition is BAD_USER_INPUT', async () => {
    const admin = await t.login('yb-610000-admin');
    const rules = await t.gql('{ routingRules { id position name targetKind enabled condition } }', {}, admin);
    expect(rules.data.routingRules.map((r: { targetKind: string }) => r.targetKind)).toEqual([
      'DISCIPLINE',
      'PUBLIC_SECURITY',
      'HEALTH',
      'MEDICAL_INSURANCE',
    ]);
    const bad = await t.gql(
      'mutation($id: ID!) { updateRoutingRule(id: $id, condition: {models: "X"}) { id } }',
      { id: rules.data.routingRules[2].id },
      admin,
    );
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const countyAdmin = await t.login('yb-610302-admin');
    const denied = await t.gql(
      'mutation($id: ID!) { updateRoutingRule(id: $id, enabled: false) { id } }',
      { id: rules.data.routingRules[2].id },
      countyAdmin,
    );
    expect(code(denied)).toBe('FORBIDDEN');
  });

  it('the maintenance sweep routes a clue whose routing job was lost, once', async () => {
    // Found by the fault campaign: BullMQ fails a job that stalled more than once (its workers
    // killed twice while they held it), and two clues stayed NEW for good.
    const [row] = await t.services.db.query(
      `INSERT INTO clue (code, title, source, status, region_code, amount_involved, created_at)
       VALUES ($1, '路由丢失的线索', 'PETITION', 'NEW', '610302', '500.00', now() - interval '5 minutes') RETURNING id`,
      [`XS-STRANDED-${process.pid}`],
    );
    const fresh = (await newClue(t.services)).id;
    const result = (await maintenanceQueue.process(t.services, { name: MAINTENANCE_JOBS.deadlineSweep } as Job)) as {
      strandedCluesRouted: number;
    };
    expect(result.strandedCluesRouted).toBeGreaterThanOrEqual(1);
    const status = async (id: string) =>
      (await t.services.db.query('SELECT status FROM clue WHERE id = $1', [id]))[0].status;
    expect(await status(row.id)).toBe('ASSIGNED');
    // A clue just created waits for its own routing job.
    expect(await status(fresh)).toBe('NEW');
    await maintenanceQueue.process(t.services, { name: MAINTENANCE_JOBS.deadlineSweep } as Job);
    const routes = await t.services.db.query(
      `SELECT count(*)::int AS n FROM state_change WHERE entity_type = 'Clue' AND entity_id = $1 AND event = 'ROUTE'`,
      [row.id],
    );
    expect(routes[0].n).toBe(1);
  });
});
