// The server's import graph, for docs/architecture.md: which modules import a module on a
// higher floor (routes → controllers → services → feature modules → db/, net/, shared/), and
// which import each other in a circle (file level). Reads the sources as text (relative
// imports, `import('…')` types included), runs nothing.
//   node scripts/import-graph.mjs [server/src] [--who FILE…]
import fs from 'node:fs';
import path from 'node:path';
const root = path.resolve(process.argv[2] ?? 'server/src');
const files = [];
(function walk(d) { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) files.push(p); } })(root);
const rel = (p) => path.relative(root, p);
function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base + '.ts', path.join(base, 'index.ts'), base]) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}
const edges = new Map();
for (const f of files) {
  const src = fs.readFileSync(f, 'utf8');
  const out = new Set();
  for (const m of src.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) { const r = resolve(f, m[1]); if (r && r.endsWith('.ts')) out.add(r); }
  edges.set(f, out);
}
const floors = [
  [6, /^(index|register|bootstrap|destroy)\.ts$/],
  [5, /^routes\//],
  [4, /^(controllers|policies|middlewares)\//],
  [3, /^services\//],
  [2.5, /^(diagnose|test-and-confirm)\//],
  [2, /^(oauth|inbound|outbound|transfer|discovery|warnings|activity|validation|email-provider|config|tokens|postmaster)\//],
  [1, /^(db|net|tls|shared|providers|content-types)\/|^(errors|plugin-id|permissions)\.ts$/],
];
const floor = (f) => { const r = rel(f); for (const [n, re] of floors) if (re.test(r)) return n; return NaN; };
const unknown = files.filter((f) => Number.isNaN(floor(f)));
const up = [];
for (const [f, outs] of edges) for (const t of outs) if (floor(t) > floor(f)) up.push(`${rel(f)} -> ${rel(t)}`);
// Tarjan SCC
let idx = 0; const st = []; const on = new Set(); const ix = new Map(); const low = new Map(); const sccs = [];
function sc(v) { ix.set(v, idx); low.set(v, idx); idx++; st.push(v); on.add(v);
  for (const w of edges.get(v) ?? []) { if (!ix.has(w)) { sc(w); low.set(v, Math.min(low.get(v), low.get(w))); } else if (on.has(w)) low.set(v, Math.min(low.get(v), ix.get(w))); }
  if (low.get(v) === ix.get(v)) { const c = []; let w; do { w = st.pop(); on.delete(w); c.push(rel(w)); } while (w !== v); if (c.length > 1) sccs.push(c); } }
for (const f of files) if (!ix.has(f)) sc(f);
const fromServicesBelow = up.filter((l) => / -> services\//.test(l));
console.log(`modules: ${files.length}, import edges: ${[...edges.values()].reduce((a, s) => a + s.size, 0)}`);
if (unknown.length) console.log(`no floor: ${unknown.map(rel).join(', ')}`);
console.log(`upward imports: ${up.length} (from ${new Set(up.map((l) => l.split(' -> ')[0])).size} modules; into services/: ${fromServicesBelow.length})`);
for (const l of up.sort()) console.log('  ' + l);
console.log(`circles: ${sccs.length}`);
for (const c of sccs) console.log('  ' + c.sort().join(' <-> '));
if (process.argv[3] === '--who') for (const t of process.argv.slice(4)) { console.log(`${t} <- ` + [...edges].filter(([, o]) => [...o].some((x) => rel(x) === t)).map(([f]) => rel(f)).join(', ')); console.log(`${t} -> ` + [...(edges.get(path.join(root, t)) ?? [])].map(rel).join(', ')); }
