import { parseArgs } from 'node:util';
import { DEFAULT_WINDOW, generateSyntheticBatch } from '../synth/generator';

/**
 * npm run synth -- --out <folder> --scale N [--seed S] [--from YYYY-MM-DD --to YYYY-MM-DD] [--expected]
 *
 * Writes a synthetic batch with planted cases of every collision model. expected-hits.json
 * is computed when the scale is at most 5 or --expected is given. The last line printed is
 * a JSON summary.
 */
const EXPECTED_HITS_MAX_SCALE = 5;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      from: { type: 'string', default: DEFAULT_WINDOW.from },
      to: { type: 'string', default: DEFAULT_WINDOW.to },
      expected: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.out) throw new Error('--out <folder> is required');
  const scale = Number(values.scale);
  const startedAt = process.hrtime.bigint();
  const result = await generateSyntheticBatch({
    outDir: values.out,
    scale,
    seed: Number(values.seed),
    from: values.from!,
    to: values.to!,
    withExpectedHits: values.expected! || scale <= EXPECTED_HITS_MAX_SCALE,
  });
  const elapsedMs = Number((process.hrtime.bigint() - startedAt) / 1_000_000n);
  console.log(JSON.stringify({ ...result, elapsedMs }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
