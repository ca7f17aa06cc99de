/**
 * Sums a V8 sampling heap profile (bench/load/heap-sampling.ts, `--heap-prof`, DevTools) by
 * allocation site:
 *
 *   npx tsx bench/load/heap-profile-summary.ts <file.heapprofile> [rows] [--match <text>]
 *
 * Prints the bytes by allocating function, by the nearest frame of our own code (not Node's, not a
 * dependency's), and the heaviest call stacks. `--match` keeps only the stacks with a frame whose
 * name or file contains the text (`FastBuffer`, say, for the memory behind Buffers).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}
interface HeapProfile {
  head: ProfileNode;
}

const args = process.argv.slice(2);
const matchAt = args.indexOf('--match');
const match = matchAt >= 0 ? args.splice(matchAt, 2)[1] : undefined;
const [path, rowsArg] = args;
if (path === undefined)
  throw new Error('usage: heap-profile-summary.ts <file.heapprofile> [rows] [--match <text>]');
const rows = Number(rowsArg ?? 15);
const profile = JSON.parse(readFileSync(path, 'utf8')) as HeapProfile;

const root = process.cwd();
const frameName = (f: CallFrame): string => {
  const file = f.url.replace('file://', '').replace(root + '/', '');
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
};
const ours = (f: CallFrame): boolean =>
  f.url !== '' && !f.url.includes('node_modules') && !f.url.startsWith('node:') && f.url.includes('/');

const byFunction = new Map<string, number>();
const byOwnFrame = new Map<string, number>();
const byStack = new Map<string, number>();
let total = 0;

function walk(node: ProfileNode, stack: CallFrame[]): void {
  const here = [...stack, node.callFrame];
  if (node.selfSize > 0 && (match === undefined || here.some((f) => frameName(f).includes(match)))) {
    total += node.selfSize;
    const add = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + node.selfSize);
    add(byFunction, frameName(node.callFrame));
    const own = [...here].reverse().find(ours);
    add(byOwnFrame, own === undefined ? '(none of ours)' : frameName(own));
    add(byStack, [...here].reverse().slice(0, 8).map(frameName).join(' < '));
  }
  for (const child of node.children) walk(child, here);
}
walk(profile.head, []);

const mb = (n: number): string => (n / 1_048_576).toFixed(1);
const print = (title: string, m: Map<string, number>): void => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows))
    console.log(`${mb(v).padStart(8)} MB ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${mb(total)} MB sampled${match === undefined ? '' : ` in stacks with "${match}"`}`);
print('by allocating function', byFunction);
print('by nearest frame of our own code', byOwnFrame);
print('by call stack (innermost first)', byStack);
