/**
 * Who keeps large Buffers alive in a V8 heap snapshot (`node --heapsnapshot-signal=SIGUSR2`, then
 * `kill -USR2 <pid>` under load; or DevTools):
 *
 *   npx tsx bench/load/snapshot-retainers.ts <file.heapsnapshot> [min-bytes] [rows]
 *
 * For every ArrayBuffer backing store of at least `min-bytes` (4096), it follows the first strong
 * retainer up to six steps (a Buffer, the object holding it, the collection holding that...) and
 * sums the bytes by that path. Fetched responses show up as stores of 64 KB and more; what holds
 * them for longer than a young collection is what makes full collections come by "external
 * memory pressure".
 */
import { readFileSync } from 'node:fs';

interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}
interface HeapSnapshot {
  snapshot: { meta: SnapshotMeta };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const [file, minArg = '4096', rowsArg = '20'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: snapshot-retainers <file.heapsnapshot> [min-bytes] [rows]');
const minBytes = Number(minArg);
const rows = Number(rowsArg);
const DEPTH = 6;

const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
const { node_fields, node_types, edge_fields, edge_types } = snap.snapshot.meta;
const { nodes, edges, strings } = snap;
const NF = node_fields.length;
const EF = edge_fields.length;
const nodeType = node_types[0];
const edgeType = edge_types[0];
const iType = node_fields.indexOf('type');
const iName = node_fields.indexOf('name');
const iSize = node_fields.indexOf('self_size');
const iEdges = node_fields.indexOf('edge_count');
const eType = edge_fields.indexOf('type');
const eName = edge_fields.indexOf('name_or_index');
const eTo = edge_fields.indexOf('to_node');
const count = nodes.length / NF;

// Edges are stored per node in order; retainers need them reversed.
const firstEdge = new Uint32Array(count + 1);
for (let i = 0, at = 0; i < count; i++) {
  firstEdge[i] = at;
  at += nodes[i * NF + iEdges]! * EF;
}
firstEdge[count] = edges.length;
const retainerStart = new Uint32Array(count + 1);
for (let e = 0; e < edges.length; e += EF) retainerStart[edges[e + eTo]! / NF + 1]! += 1;
for (let i = 0; i < count; i++) retainerStart[i + 1]! += retainerStart[i]!;
const retainerNode = new Uint32Array(retainerStart[count]!);
const retainerEdge = new Uint32Array(retainerStart[count]!);
const filled = retainerStart.slice(0, count);
for (let i = 0; i < count; i++) {
  for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += EF) {
    const to = edges[e + eTo]! / NF;
    const slot = filled[to]!;
    retainerNode[slot] = i;
    retainerEdge[slot] = e;
    filled[to] = slot + 1;
  }
}

const nameOf = (i: number): string =>
  `${nodeType[nodes[i * NF + iType]!]}:${strings[nodes[i * NF + iName]!]!.slice(0, 50)}`;
const edgeNameOf = (e: number): string => {
  const type = edgeType[edges[e + eType]!];
  if (type === 'element' || type === 'hidden') return `[${type}]`;
  const name = strings[edges[e + eName]!]!;
  // Slots of a hash table are named by their index: one path for all of them.
  return /^\d+$/.test(name) ? '[slot]' : name.slice(0, 30);
};

/** The first strong retainer chain of a node, as text. */
function pathOf(start: number): string {
  const parts: string[] = [];
  const seen = new Set<number>([start]);
  let node = start;
  for (let depth = 0; depth < DEPTH; depth++) {
    let next = -1;
    let via = -1;
    for (let r = retainerStart[node]!; r < retainerStart[node + 1]!; r++) {
      const type = edgeType[edges[retainerEdge[r]! + eType]!];
      const from = retainerNode[r]!;
      if (type === 'weak' || type === 'shortcut' || seen.has(from)) continue;
      if (nameOf(from).startsWith('synthetic:')) continue;
      next = from;
      via = retainerEdge[r]!;
      break;
    }
    if (next < 0) break;
    parts.push(`<-${edgeNameOf(via)}- ${nameOf(next)}`);
    seen.add(next);
    node = next;
  }
  return parts.join(' ');
}

const byPath = new Map<string, { stores: number; bytes: number }>();
let total = 0;
let stores = 0;
for (let i = 0; i < count; i++) {
  const size = nodes[i * NF + iSize]!;
  if (size < minBytes || strings[nodes[i * NF + iName]!] !== 'system / JSArrayBufferData') continue;
  total += size;
  stores += 1;
  const path = pathOf(i);
  const entry = byPath.get(path) ?? { stores: 0, bytes: 0 };
  entry.stores += 1;
  entry.bytes += size;
  byPath.set(path, entry);
}

console.log(
  `ArrayBuffer memory in stores of ${minBytes} bytes or more: ${stores} stores, ${(total / 1e6).toFixed(1)} MB\n`,
);
console.log('| MB | stores | held by (nearest first) |\n|---:|---:|---|');
for (const [path, entry] of [...byPath].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, rows))
  console.log(`| ${(entry.bytes / 1e6).toFixed(1)} | ${entry.stores} | ${path.replaceAll('|', '\\|')} |`);
