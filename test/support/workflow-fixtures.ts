/** Reference rows the workflow tests share: institutions and persons in 宝鸡 (610300). */
import { AppServices } from '../../src/app';
import { createClue, NewClue } from '../../src/domain/clue/clue.service';
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
