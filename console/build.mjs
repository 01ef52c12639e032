// Builds the console (console/src) into console/dist: index.html, app.js and app.css, every
// asset inlined or bundled — nothing is fetched from another host at run time. Like `tsc -b`,
// it does nothing when the bundle is newer than its sources (`--force` rebuilds).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');

const newest = (path) =>
  statSync(path).isDirectory()
    ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))))
    : statSync(path).mtimeMs;
const inputs = [join(here, 'src'), join(here, 'index.html'), join(here, 'build.mjs'), join(here, '..', 'package-lock.json')];
const bundle = join(out, 'app.js');
if (
  !process.argv.includes('--force') &&
  existsSync(bundle) &&
  existsSync(join(out, 'index.html')) &&
  statSync(bundle).mtimeMs >= Math.max(...inputs.map(newest))
) {
  process.exit(0);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src', 'main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  legalComments: 'none',
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
