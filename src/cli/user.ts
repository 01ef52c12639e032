import { createUser, ensureDepartment } from '../domain/auth/auth.service';
import { Role, ROLES } from '../domain/auth/user.entity';
import { DEPARTMENT_KINDS, DepartmentKind } from '../domain/reference/department.entity';
import { parseOptions, printResult, runCli, withServices } from './run';

const USAGE =
  'usage: npm run user -- add --username U --password P --department KIND:REGION --roles R1,R2 [--display-name N]';

/** npm run user -- add … — creates a user (and its department when missing). */
runCli(async (config) => {
  const { options, positional } = parseOptions(process.argv.slice(2), [
    'username',
    'password',
    'department',
    'roles',
    'display-name',
  ]);
  if (positional[0] !== 'add') throw new Error(USAGE);
  for (const required of ['username', 'password', 'department', 'roles']) {
    if (!options[required]) throw new Error(`--${required} is required\n${USAGE}`);
  }
  const [kind, regionCode] = options.department.split(':') as [DepartmentKind, string];
  if (!DEPARTMENT_KINDS.includes(kind) || !/^\d{6}$/.test(regionCode ?? '')) {
    throw new Error(
      `--department must be KIND:REGION with KIND one of ${DEPARTMENT_KINDS.join(', ')}, e.g. MEDICAL_INSURANCE:610300`,
    );
  }
  const roles = options.roles.split(',').map((r) => r.trim().toUpperCase()) as Role[];
  const unknown = roles.filter((r) => !ROLES.includes(r));
  if (unknown.length) throw new Error(`unknown roles ${unknown.join(', ')} (known: ${ROLES.join(', ')})`);
  const result = await withServices(config, async (services) => {
    const department = await ensureDepartment(services, kind, regionCode);
    const user = await createUser(services, {
      username: options.username,
      password: options.password,
      displayName: options['display-name'] ?? options.username,
      departmentId: department.id,
      roles,
    });
    return { userId: user.id, username: user.username, department: department.name, roles: user.roles };
  });
  printResult(result);
});
