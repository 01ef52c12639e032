import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { signAccessToken } from '../../src/domain/auth/jwt';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { code } from '../support/client';

/**
 * The actors kept between requests (src/domain/auth/kept-reads.ts) never outlive a change:
 * a deactivation, new roles, a move to another department hold on the very next request.
 * What the actor decides is read through supervisionStats (leaders, inside their jurisdiction).
 */
describe('actor cache', () => {
  let t: TestApi;
  let userId: string;
  let token: string;
  const STATS = '{ supervisionStats(regionCode: "610300", from: "2025-01-01", to: "2025-01-31") { cluesReceived } }';
  const statsCode = async () => code(await t.gql(STATS, {}, token)) ?? 'OK';
  const set = (sql: string) => t.services.db.query(`UPDATE app_user SET ${sql} WHERE id = $1`, [userId]);

  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    const [row] = await t.services.db.query(`SELECT id FROM app_user WHERE username = 'yb-610300-investigator'`);
    userId = row.id;
    token = signAccessToken(t.config.jwt, userId).token;
    // The first request starts listening; from then on actors are kept.
    await t.gql('{ me { id } }', {}, token);
    await t.services.kept.listen();
  });
  afterAll(() => t.close());

  it('new roles hold on the next request', async () => {
    expect(await statsCode()).toBe('FORBIDDEN');
    await set(`roles = '{LEADER}'`);
    expect(await statsCode()).toBe('OK');
  });

  it('a move to another department holds on the next request', async () => {
    expect(await statsCode()).toBe('OK');
    await set(`department_id = (SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610302')`);
    expect(await statsCode()).toBe('FORBIDDEN');
    await set(`department_id = (SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610300')`);
    expect(await statsCode()).toBe('OK');
  });

  it('a deactivated user is refused on the next request, with the token they hold', async () => {
    expect(await statsCode()).toBe('OK');
    await set('active = false');
    expect(await statsCode()).toBe('UNAUTHENTICATED');
    await set('active = true');
    expect(await statsCode()).toBe('OK');
  });

  it('keeps the actor between requests (a change made with the triggers off goes unseen)', async () => {
    expect(await statsCode()).toBe('OK');
    await t.services.db.transaction(async (m) => {
      await m.query('SET LOCAL session_replication_role = replica');
      await m.query(`UPDATE app_user SET roles = '{INVESTIGATOR}' WHERE id = $1`, [userId]);
    });
    expect(await statsCode()).toBe('OK');
    t.services.kept.actors.forget(userId);
    expect(await statsCode()).toBe('FORBIDDEN');
  });

  it('holds change after change: a request never runs ahead of an announcement', async () => {
    for (let i = 0; i < 20; i++) {
      await set(`roles = '{INVESTIGATOR}'`);
      expect(await statsCode()).toBe('FORBIDDEN');
      await set(`roles = '{LEADER}'`);
      expect(await statsCode()).toBe('OK');
    }
  });

  it('a kept department is there without a wait (peek) until its change is heard; actors never are', async () => {
    const kept = t.services.kept;
    const [dep] = await t.services.db.query(`SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610300'`);
    await kept.departments.getMany([dep.id], async () => [{ id: dep.id, name: 'kept' } as never], (d: { id: string }) => d.id);
    expect(kept.departments.peek(dep.id)).toMatchObject({ name: 'kept' });
    // Actors decide access: only after a round trip (heard), never synchronously.
    expect(kept.actors.peek(userId)).toBeUndefined();
    await t.services.db.query(`UPDATE department SET name = name WHERE id = $1`, [dep.id]);
    await kept.heard();
    expect(kept.departments.peek(dep.id)).toBeUndefined();
  });
});
