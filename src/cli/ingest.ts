import { IngestBatchError, ingestBatch } from '../domain/ingest/ingest.service';
import { parseOptions, printResult, runCli, withServices } from './run';

/**
 * npm run ingest -- <folder> [--revalidate] — loads a batch (DATA-DICTIONARY.md). Each
 * rejected row goes to stderr as `file:line: reason`; the last stdout line is the summary.
 * Exits 0 when every file was read, 1 when the batch could not be read.
 */
runCli(async (config) => {
  const { options, positional } = parseOptions(process.argv.slice(2), ['revalidate']);
  if (positional.length !== 1) throw new Error('usage: npm run ingest -- <folder> [--revalidate]');
  await withServices(config, async (services) => {
    try {
      const summary = await ingestBatch(services, positional[0], {
        revalidate: options.revalidate === 'true',
        onReject: (line) => process.stderr.write(`${line}\n`),
      });
      printResult(summary);
    } catch (error) {
      if (!(error instanceof IngestBatchError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      printResult(error.summary);
      process.exitCode = 1;
    }
  });
});
