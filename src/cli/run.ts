import 'reflect-metadata';
/**
 * Shared start-up for the command-line entry points: configuration errors and failures
 * end the process with one clear line, results end with one JSON line.
 */
import { AppServices, createServices } from '../app';
import { Config, ConfigError, loadConfig, setConfig } from '../config';

export function loadConfigOrExit(): Config {
  try {
    const config = loadConfig();
    setConfig(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

export function runCli(main: (config: Config) => Promise<void>): void {
  const config = loadConfigOrExit();
  main(config).catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

export async function withServices<T>(config: Config, work: (services: AppServices) => Promise<T>): Promise<T> {
  const services = await createServices(config, { applicationName: 'cli' });
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

/** Minimal `--name value` / `--flag` parser; unknown options are an error. */
export function parseOptions(
  argv: string[],
  known: string[],
): { options: Record<string, string>; positional: string[] } {
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name))
      throw new Error(`unknown option --${name} (known: ${known.map((k) => `--${k}`).join(', ')})`);
    if (inline !== undefined) options[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) options[name] = argv[++i];
    else options[name] = 'true';
  }
  return { options, positional };
}

export const printResult = (result: unknown): void => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
};
