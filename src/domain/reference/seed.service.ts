import { AppServices } from '../../app';
import { allUsernames } from '../auth/auth.repository';
import { createUser, ensureDepartment } from '../auth/auth.service';
import { Role } from '../auth/user.entity';
import { DEPARTMENT_KINDS, DepartmentKind } from './department.entity';
import { allRegionCodes, insertRegions } from './reference.repository';
import { SEED_REGIONS } from './regions.seed';
import { ENUM_LABELS } from '../labels';

/** Inserts the seed regions (existing codes are left alone). */
export async function seedRegions(services: AppServices): Promise<void> {
  await insertRegions(services.db, SEED_REGIONS);
}

export interface SeededUser {
  username: string;
  password: string;
  department: string;
  kind: DepartmentKind;
  regionCode: string;
  roles: Role[];
}

const ROLE_SETS: { suffix: string; roles: Role[] }[] = [
  { suffix: 'investigator', roles: ['INVESTIGATOR'] },
  { suffix: 'supervisor', roles: ['SUPERVISOR'] },
  { suffix: 'leader', roles: ['LEADER'] },
  { suffix: 'analyst', roles: ['ANALYST'] },
  { suffix: 'admin', roles: ['ADMIN'] },
];

const KIND_PREFIX: Record<DepartmentKind, string> = {
  MEDICAL_INSURANCE: 'yb',
  HEALTH: 'wj',
  PUBLIC_SECURITY: 'ga',
  DISCIPLINE: 'jw',
};

/**
 * Every department of every region in the database (the seed regions and any ingested),
 * and one user per role and department, named
 * `<kind>-<region>-<role>` (e.g. yb-610300-investigator) with the given password.
 * Idempotent: existing users are kept.
 */
export async function seedDepartmentsAndUsers(services: AppServices, password: string): Promise<SeededUser[]> {
  const existing = await allUsernames(services.db);
  const users: SeededUser[] = [];
  for (const regionCode of await allRegionCodes(services.db)) {
    for (const kind of DEPARTMENT_KINDS) {
      const department = await ensureDepartment(services, kind, regionCode);
      for (const set of ROLE_SETS) {
        const username = `${KIND_PREFIX[kind]}-${regionCode}-${set.suffix}`;
        if (!existing.has(username)) {
          await createUser(services, {
            username,
            password,
            displayName: `${department.name}${ENUM_LABELS.Role[set.roles[0]]}`,
            departmentId: department.id,
            roles: set.roles,
          });
        }
        users.push({ username, password, department: department.name, kind, regionCode: regionCode, roles: set.roles });
      }
    }
  }
  return users;
}
