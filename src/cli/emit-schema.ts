import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAppSchema } from '../graphql/print';

/** npm run schema — writes schema/schema.graphql (committed; a test fails when it is stale). */
printAppSchema()
  .then((sdl) => {
    const file = join(__dirname, '..', '..', '..', 'schema', 'schema.graphql');
    writeFileSync(file, sdl);
    process.stdout.write(`${JSON.stringify({ written: 'schema/schema.graphql', bytes: Buffer.byteLength(sdl) })}\n`);
  })
  .catch((error) => {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(1);
  });
