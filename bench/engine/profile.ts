/**
 * Where the CPU time of an engine benchmark case goes, per thread: runs the case in a child
 * process under `node --cpu-prof` (one profile per thread, workers included), then sorts every
 * sample's self time into cost categories by the function and file it was taken in.
 *
 *   npm run bench:engine:profile -- sluice/word-count/p2 [--records 2000000] [--text-mb 10] [--top 8]
 *
 * Categories follow the function a sample landed in. V8 inlines small functions into their
 * callers, so a category holds what was inlined into it (the record handler holds the operator
 * it calls, for one): read the split as approximate, and the thread totals as exact.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable } from '../report.js';

const { values: cli, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    records: { type: 'string' },
    'text-mb': { type: 'string', default: '10' },
    top: { type: 'string', default: '8' },
  },
});
const caseName = positionals[0];
if (caseName === undefined) {
  process.stderr.write('usage: npm run bench:engine:profile -- <case, e.g. sluice/numeric/p2> [--records N] [--text-mb N] [--top N]\n');
  process.exit(2);
}

/** A CPU profile as `node --cpu-prof` writes it. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number } }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The cost categories, first match wins: [category, test on "url function"]. */
const CATEGORIES: ReadonlyArray<readonly [string, RegExp]> = [
  ['idle (parked, waiting)', /^ \(idle\)$/],
  ['garbage collection', /\(garbage collector\)/],
  ['thread start-up, module loading', /(esm\/|cjs\/|bootstrap\/|modules\/|compileSourceTextModule|internalModuleReadJSON|node:internal\/worker)/],
  ['user code', /(bench\/engine\/ops\.js|examples\/|RegExp:)/],
  ['encode', /(msgpackr\/pack\.js|columnar-batch\.js (add|encode|#writeString)|record-batch\.js (add|encode)|^ writeRecord$)/],
  ['decode', /(msgpackr\/unpack\.js|columnar-batch\.js|record-batch\.js|^ buildRecord$|utf8Slice|latin1Slice|toString)/],
  ['hashing, key extraction', /(key-groups\.js|record-key\.js)/],
  ['keyed state', /keyed-state-backend\.js/],
  ['ring, doorbell', /native-free-buffers\//],
  ['chain, routing, output', /(operator-chain\.js|edge-output\.js|channel-output\.js)/],
  ['subtask and slot loop', /(subtask\.js|slot\.js|subtask-checkpoints\.js|performance|now )/],
];

/** The category of a sample: its function's file URL and name ("url name"; codecs compiled at run time have no URL). */
function categoryOf(url: string, functionName: string): string {
  const label = `${url} ${functionName || '(anonymous)'}`;
  for (const [category, pattern] of CATEGORIES) if (pattern.test(label)) return category;
  return 'other';
}

/** Self time per category and per function of one profile, in milliseconds. */
function summarize(profile: CpuProfile): { total: number; categories: Map<string, number>; functions: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const frame = nodes.get(id)!;
    const category = categoryOf(frame.url, frame.functionName);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    categories.set(category, (categories.get(category) ?? 0) + micros / 1000);
    functions.set(name, (functions.get(name) ?? 0) + micros / 1000);
    total += micros / 1000;
  });
  return { total, categories, functions };
}

const directory = mkdtempSync(path.join(os.tmpdir(), 'sluice-profile-'));
try {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const args = ['--cpu-prof', `--cpu-prof-dir=${directory}`, main, '--repetitions', '1', '--filter', caseName, '--text-mb', cli['text-mb']!];
  if (cli.records !== undefined) args.push('--numeric-records', cli.records, '--object-records', cli.records);
  process.stderr.write(`profiling ${caseName}: node ${args.join(' ')}\n`);
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const top = Number(cli.top);
  const profiles = readdirSync(directory).filter((name) => name.endsWith('.cpuprofile')).sort();
  for (const [index, file] of profiles.entries()) {
    const { total, categories, functions } = summarize(JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as CpuProfile);
    const busy = total - (categories.get(CATEGORIES[0]![0]) ?? 0);
    if (busy < 20) continue; // a thread that did nothing worth showing (piscina's spare, the cold-start probe)
    const rows = [...categories]
      .sort((a, b) => b[1] - a[1])
      .map(([category, ms]) => [category, ms.toFixed(1), `${((ms / total) * 100).toFixed(1)}%`]);
    const hot = [...functions]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => [name, ms.toFixed(1)]);
    process.stdout.write(
      `\n### thread ${index} (${index === 0 ? 'main' : 'worker'}): ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy\n\n` +
        `${markdownTable(['category', 'ms:', 'share:'], rows)}\n\n${markdownTable(['hottest functions (self time)', 'ms:'], hot)}\n`,
    );
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
