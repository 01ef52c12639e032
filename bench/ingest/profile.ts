/**
 * Loads a batch folder into a fresh database with INGEST_TIMING=1 (each loader statement's
 * duration on stderr), for finding where the ingest time goes:
 *   INGEST_TIMING=1 node dist/bench/ingest/profile.js /tmp/synth50
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { dropDatabase, runMigrations } from '../../src/db/migrate';

/** CPU seconds of the main thread (Linux /proc; null elsewhere). */
function mainThreadCpu(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const folder = resolve(process.argv[2] ?? '/tmp/synth50');
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/bench_ingest_profile_${Date.now().toString(36)}`;
  await runMigrations(url.toString());
  const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: url.toString() }), {
    applicationName: 'bench',
  });
  try {
    const started = process.hrtime.bigint();
    const summary = await ingestBatch(services, folder, { onReject: (line) => process.stderr.write(`${line}\n`) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // CPU seconds: this process (every thread) and its main thread alone (on a shared machine
    // the wall time says how busy the others were; these say what the load costs).
    const cpu = process.cpuUsage();
    process.stdout.write(
      `${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, mainThreadCpuSeconds: mainThreadCpu(), loadAverage: loadavg(), summary })}\n`,
    );
  } finally {
    await services.close();
    if (!process.env.BENCH_KEEP) await dropDatabase(url.toString());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
