/**
 * Judges one hostile ingest batch (csv-gen.ts) after the loader ran on it, in a fresh database:
 * the process ended normally (exit 0: every file read; exit 1: the batch was refused with
 * `error: file[:line]: reason`), every rejection is `file:line: reason`, read = loaded + rejected
 * + duplicates, and nothing is half-loaded: each table holds exactly the rows the summary says
 * were loaded into it, no attempt is left LOADING, and the quarantine holds the rejected rows.
 */
import { Client } from 'pg';
import { TABLE_OF_FILE } from '../../src/domain/ingest/ingest.service';

/** The table each batch file fills (the loader's own list of names). */
export const FILE_TABLE: Record<string, string> = TABLE_OF_FILE;

export interface LoaderOutcome {
  /** 0, 1 — anything else (or a signal) is a crash. */
  exitCode: number | null;
  signal?: string | null;
  stdout: string;
  stderr: string;
}

export interface Verdict {
  outcome: 'loaded' | 'refused' | 'crashed';
  problems: string[];
  rejections: number;
  /** Reasons with values blanked, to tally. */
  reasons: string[];
}

interface Summary {
  files: Record<string, { read: number; loaded: number; rejected: number; duplicates: number }>;
  ok: boolean;
}

const REJECTION = /^([a-z_]+\.csv):(\d+): (\S.*)$/;
const REFUSAL = /^error: (?:([a-z_]+\.csv)(?::(\d+))?: (\S.*)|batch folder .*)$/;
/** Reasons that read like a program's failure rather than a verdict on the file. */
const INTERNAL =
  /TypeError|ReferenceError|RangeError|Cannot read prop|undefined|is not a function|ECONN|\bat \S+\.js:\d+/;

export async function judge(databaseUrl: string, result: LoaderOutcome): Promise<Verdict> {
  const problems: string[] = [];
  const reasons: string[] = [];
  let rejections = 0;
  if (result.signal || (result.exitCode !== 0 && result.exitCode !== 1)) {
    return {
      outcome: 'crashed',
      problems: [`exit ${result.exitCode} ${result.signal ?? ''}: ${result.stderr.slice(-500)}`],
      rejections,
      reasons,
    };
  }
  const errLines = result.stderr.split('\n').filter((l) => l !== '');
  for (const line of errLines) {
    const rejected = REJECTION.exec(line);
    if (rejected) {
      rejections += 1;
      reasons.push(`${rejected[1]}: ${blank(rejected[3])}`);
      if (INTERNAL.test(rejected[3])) problems.push(`internal-looking reason: ${line.slice(0, 300)}`);
      continue;
    }
    const refused = REFUSAL.exec(line);
    if (refused && result.exitCode === 1) {
      reasons.push(`error ${refused[1] ?? ''}: ${blank(refused[3] ?? line)}`);
      if (INTERNAL.test(line)) problems.push(`internal-looking refusal: ${line.slice(0, 300)}`);
      // A file that does not parse is refused at its line; only header-level refusals have none.
      if (refused[1] && !refused[2] && !/^(header must|empty file|unreadable header)/.test(refused[3]))
        problems.push(`refusal without a line: ${line.slice(0, 300)}`);
      continue;
    }
    problems.push(`stderr line not "file:line: reason": ${JSON.stringify(line.slice(0, 300))}`);
  }
  let summary: Summary | null = null;
  try {
    summary = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as Summary;
  } catch {
    problems.push(`no summary line on stdout: ${JSON.stringify(result.stdout.slice(-300))}`);
  }
  if (summary && summary.ok !== (result.exitCode === 0))
    problems.push(`summary ok ${summary.ok} but exit ${result.exitCode}`);
  if (result.exitCode === 1 && !errLines.some((l) => l.startsWith('error: ')))
    problems.push('exit 1 without an "error: file:line: reason" line');

  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const [file, table] of Object.entries(FILE_TABLE)) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      const expected = summary?.files[file]?.loaded ?? 0;
      if (Number(rows[0].n) !== expected)
        problems.push(`half-loaded: ${table} has ${rows[0].n} rows, the summary says ${expected} loaded`);
    }
    for (const [file, counts] of Object.entries(summary?.files ?? {})) {
      if (counts.read !== counts.loaded + counts.rejected + counts.duplicates)
        problems.push(
          `${file}: read ${counts.read} ≠ loaded ${counts.loaded} + rejected ${counts.rejected} + duplicates ${counts.duplicates}`,
        );
    }
    const { rows: loading } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ingest_file WHERE status = 'LOADING'`,
    );
    if (Number(loading[0].n) > 0) problems.push(`${loading[0].n} ingest_file rows left LOADING`);
    const { rows: quarantined } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ingest_quarantine`);
    const rejectedInSummary = Object.values(summary?.files ?? {}).reduce((sum, c) => sum + c.rejected, 0);
    if (Number(quarantined[0].n) !== rejectedInSummary)
      problems.push(`quarantine has ${quarantined[0].n} rows, the summary says ${rejectedInSummary} rejected`);
    if (rejections !== rejectedInSummary)
      problems.push(`${rejections} rejection lines, the summary says ${rejectedInSummary} rejected`);
  } finally {
    await client.end();
  }
  return { outcome: result.exitCode === 0 ? 'loaded' : 'refused', problems, rejections, reasons };
}

function blank(reason: string): string {
  return reason
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 90);
}
