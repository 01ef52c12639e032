/** Starting an ingest worker thread from its own module file (crypto-worker.ts, row-worker.ts). */
import { Worker } from 'node:worker_threads';

/**
 * A worker running the module `file` (pass `__filename`) with `data` as its workerData.
 * Compiled (dist/): the .js file itself. Under ts-jest (the .ts source): through esbuild.
 */
export function startModuleWorker(file: string, data: unknown): Worker {
  if (!file.endsWith('.ts')) return new Worker(file, { workerData: data });
  return new Worker(
    `const { readFileSync } = require('node:fs');
     const { transformSync } = require('esbuild');
     require.extensions['.ts'] = (m, file) =>
       m._compile(transformSync(readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs' }).code, file);
     require(${JSON.stringify(file)});`,
    { eval: true, workerData: data },
  );
}
