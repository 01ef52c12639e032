import { createServices } from '../app';
import { startApiServer } from '../server';
import { runCli } from './run';

/** npm run serve — the API on PORT (default 4000), path /graphql; graceful on SIGTERM/SIGINT. */
runCli(async (config) => {
  // No JIT for the API's statements (src/db/data-source.ts).
  const services = await createServices(config, { applicationName: 'api', jit: false });
  const api = await startApiServer(services);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.log.info({ signal }, 'API stopping');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await api.stop();
      await services.close();
    } catch (error) {
      services.log.error({ err: error }, 'API stop failed');
      process.exit(1);
    }
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
});
