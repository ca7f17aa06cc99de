/**
 * `tsx bench/load/profile-summary.ts <file.cpuprofile> [top]`: the frames with the most self time
 * in a V8 CPU profile (node --cpu-prof), and the share of idle time, as a markdown table.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg = '25'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const delta = profile.timeDeltas[i] ?? 0;
  total += delta;
  if (!node) return;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/').replace(/^file:\/\/.*\//, '');
  const key = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
  self.set(key, (self.get(key) ?? 0) + delta);
});
// Time attributed to the nearest frame of our own code (dist/) up the stack: where the time goes
// in substream's terms, library and native frames counted to their caller.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const ours = new Map<string, number>();
profile.samples.forEach((id, i) => {
  let node = byId.get(id);
  while (node && !node.callFrame.url.includes('/dist/')) node = byId.get(parent.get(node.id) ?? -1);
  const key = node
    ? `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/dist\//, '')}:${node.callFrame.lineNumber + 1}`
    : '(outside our code)';
  ours.set(key, (ours.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg));
console.log(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
console.log('| self ms | share | frame |\n|---:|---:|---|');
for (const [key, us] of rows) {
  console.log(`| ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)}% | \`${key}\` |`);
}
console.log('\n| ms at our nearest frame | share | frame |\n|---:|---:|---|');
for (const [key, us] of [...ours.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg))) {
  console.log(`| ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)}% | \`${key}\` |`);
}
