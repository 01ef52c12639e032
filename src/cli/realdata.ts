import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KAGGLE_INPATIENT_FILE, mapKaggleInpatient } from '../realdata/kaggle-inpatient';

/**
 * npm run realdata -- --out <folder> [--claims <Kaggle inpatient CSV>]
 *
 * Writes a batch folder from the real inpatient claims of ../shared/realdata (docs/REALDATA.md);
 * load it with `npm run ingest -- <folder>`. The last line printed is a JSON summary (claims,
 * persons, institutions and the first and last settled day, the window to collide over).
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      claims: {
        type: 'string',
        default: join(
          __dirname,
          '..',
          '..',
          '..',
          '..',
          'shared',
          'realdata',
          'kaggle-provider-fraud',
          KAGGLE_INPATIENT_FILE,
        ),
      },
    },
    strict: true,
  });
  if (!values.out) throw new Error('--out <folder> is required');
  mkdirSync(values.out, { recursive: true });
  console.log(JSON.stringify({ out: resolve(values.out), ...mapKaggleInpatient(values.claims!, values.out) }));
}

try {
  main();
} catch (error: unknown) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
