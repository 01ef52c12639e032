import { runWorkerProcess } from '../../workers';
import { createServices } from '../app';
import { runCli } from './run';

/** npm run worker — hosts every registered queue until SIGTERM. */
runCli(async (config) => {
  await runWorkerProcess(await createServices(config, { applicationName: 'worker' }));
});
