import { seedDepartmentsAndUsers, seedRegions } from '../domain/reference/seed.service';
import { printResult, runCli, withServices } from './run';

/** npm run seed — seed regions, every department, one user per role and department. */
runCli(async (config) => {
  const { password } = config.seed;
  const users = await withServices(config, async (services) => {
    await seedRegions(services);
    return seedDepartmentsAndUsers(services, password);
  });
  printResult({ users: users.length, password, example: users[0]?.username });
});
