// build.mjs SRC OUT - copies the console (src/) and the map's vendored
// packages into OUT. No bundler: the files are plain ES2020 scripts, loaded
// by index.html in order, so the CSP can stay at script-src 'self'.
import { cpSync, mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [src, out] = process.argv.slice(2);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });
cpSync(join(src, 'src'), out, { recursive: true });
const nm = join(src, 'node_modules');
for (const [from, to] of [
  ['d3-array/dist/d3-array.min.js', 'd3-array.min.js'],
  ['d3-geo/dist/d3-geo.min.js', 'd3-geo.min.js'],
  ['topojson-client/dist/topojson-client.min.js', 'topojson-client.min.js'],
]) cpSync(join(nm, from), join(out, 'vendor', to));
// Natural Earth 1:50m land and countries (world-atlas), for the offline basemap.
cpSync(join(nm, 'world-atlas/countries-50m.json'), join(out, 'world.json'));
writeFileSync(join(out, 'vendor', 'LICENSES.txt'), ['d3-array', 'd3-geo', 'topojson-client', 'world-atlas']
  .map((p) => `== ${p}\n` + readFileSync(join(nm, p, 'LICENSE'), 'utf8')).join('\n'));
