/**
 * npm run demo — everything for a first look, in one process: migrations, seed regions,
 * departments and users, then the API and the workers. Prints how to log in.
 */
import { runWorkerProcess } from '../../workers';
import { createServices } from '../app';
import { runMigrations } from '../db/migrate';
import { seedDepartmentsAndUsers, seedRegions } from '../domain/reference/seed.service';
import { startApiServer } from '../server';
import { runCli } from './run';

runCli(async (config) => {
  const password = process.env.SEED_PASSWORD || 'demo-password-2025';
  await runMigrations(config.databaseUrl);
  const services = await createServices(config, { applicationName: 'demo' });
  await seedRegions(services);
  const users = await seedDepartmentsAndUsers(services, password);
  const api = await startApiServer(services);
  await runWorkerProcess(services);

  const examples = users.filter(
    (u) => ['610300', '610302'].includes(u.regionCode) && ['INVESTIGATOR', 'LEADER'].includes(u.roles[0]),
  );
  const lines = [
    '',
    `API: ${api.url}   (health: ${api.url.replace('/graphql', '/healthz')})`,
    `Users: ${users.length} — one per role and department, password "${password}". For example:`,
    ...examples.map((u) => `  ${u.username.padEnd(28)} ${u.department} ${u.roles.join(',')}`),
    '',
    'Log in:',
    `  curl -s ${api.url} -H 'content-type: application/json' \\`,
    `    -d '{"query":"mutation { login(username: \\"yb-610300-leader\\", password: \\"${password}\\") { token } }"}'`,
    'Then send the token as "Authorization: Bearer <token>". Ctrl-C stops the demo.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
});
