// Bundles the dashboard into one output folder:
//   node build.mjs --out <dir>
// writes <dir>/index.html referencing content-hashed bundles (assets/app-<hash>.js,
// assets/app-<hash>.css), copies public/ as is, and removes bundles left from earlier builds.
// Prints the size of each bundle, raw and gzip.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
if (outArg < 0 || !process.argv[outArg + 1]) {
  console.error('usage: node build.mjs --out <dir>');
  process.exit(2);
}
const outDir = path.resolve(process.argv[outArg + 1]);
const assetsDir = path.join(outDir, 'assets');

const result = await build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: assetsDir,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  write: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => path.resolve(here, p));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) {
  console.error('web build: expected one .js and one .css bundle, got', outputs);
  process.exit(1);
}

// Remove bundles of earlier builds so the folder holds only what index.html references.
const keep = new Set(outputs.map((p) => path.basename(p)));
for (const name of fs.readdirSync(assetsDir)) {
  if (!keep.has(name)) fs.rmSync(path.join(assetsDir, name), { force: true });
}

const rel = (p) => 'assets/' + path.basename(p);
const template = fs.readFileSync(path.join(here, 'index.html'), 'utf8');
const html = template
  .replace('<!--STYLES-->', `<link rel="stylesheet" href="/${rel(css)}">`)
  .replace('<!--SCRIPTS-->', `<script type="module" src="/${rel(js)}"></script>`);
if (html === template) {
  console.error('web build: index.html lacks the <!--STYLES--> / <!--SCRIPTS--> markers');
  process.exit(1);
}
fs.writeFileSync(path.join(outDir, 'index.html'), html);

const publicDir = path.join(here, 'public');
if (fs.existsSync(publicDir)) fs.cpSync(publicDir, outDir, { recursive: true });

let total = 0, totalGz = 0;
for (const p of [js, css]) {
  const buf = fs.readFileSync(p);
  const gz = gzipSync(buf, { level: 9 }).length;
  total += buf.length; totalGz += gz;
  console.log(`web: ${rel(p)} ${(buf.length / 1024).toFixed(1)} KiB (gzip ${(gz / 1024).toFixed(1)} KiB)`);
}
console.log(`web: total ${(total / 1024).toFixed(1)} KiB (gzip ${(totalGz / 1024).toFixed(1)} KiB) -> ${outDir}`);
