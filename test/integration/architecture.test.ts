/** The module graph: no import cycles in the application (src) and the workers. */
import madge from 'madge';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('architecture', () => {
  it('has no circular imports in src and workers', async () => {
    const graph = await madge([join(ROOT, 'src'), join(ROOT, 'workers')], {
      fileExtensions: ['ts'],
      tsConfig: join(ROOT, 'tsconfig.json'),
    });
    expect(graph.circular()).toEqual([]);
  });
});
