/**
 * `sluice run sessions`: event-time session windows per user over an out-of-order ndjson file
 * equal a one-thread reference (sort each user's times, split where the gap is reached), at
 * parallelism 1 and 2, when the watermark's bound covers the disorder. With a smaller bound,
 * events behind the watermark are late: they go to `--late-output`, and the sessions plus the
 * late events account for every event.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** Sessions of sorted times: a new session starts where the next time is at least the gap after the last. */
function reference(times: number[], gap: number): [number, number, number][] {
  const sorted = [...times].sort((a, b) => a - b);
  const sessions: [number, number, number][] = [];
  for (const t of sorted) {
    const last = sessions[sessions.length - 1];
    if (last !== undefined && t < last[1]) {
      last[1] = Math.max(last[1], t + gap);
      last[2]++;
    } else sessions.push([t, t + gap, 1]);
  }
  return sessions;
}

/** 2000 events of five users, out of order by up to 4 s; a third of the times as ISO dates. */
function events(seed: number): { lines: string[]; byUser: Map<string, number[]> } {
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const users = ['ann', 'bob', 'cy', 'dee', 'eve'];
  const byUser = new Map<string, number[]>();
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const user = users[next() % users.length]!;
    const time = i * 50 + (next() % 4000);
    const stamp = i % 3 === 0 ? new Date(time).toISOString() : time;
    byUser.set(user, [...(byUser.get(user) ?? []), time]);
    lines.push(JSON.stringify({ user, time: stamp }));
  }
  return { lines, byUser };
}

type SessionLine = { user: string; start: number; end: number; events: number };
const order = (a: { user: string; start: number }, b: { user: string; start: number }) => a.user.localeCompare(b.user) || a.start - b.start;

describe('sluice run sessions', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-sessions-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([1, 2])('writes the sessions of every user at parallelism %i', async (parallelism) => {
    const { lines, byUser } = events(11 + parallelism);
    const input = path.join(dir, `events-${parallelism}.ndjson`);
    const output = path.join(dir, `sessions-${parallelism}.ndjson`);
    await writeFile(input, lines.join('\n') + '\n');

    const { stderr } = await run(process.execPath, [
      CLI, 'run', 'sessions', '--input', input, '--output', output, '--gap-ms', '600', '--max-out-of-order-ms', '4000', '--parallelism', String(parallelism),
    ]);
    expect(stderr).toMatch(/finished/);

    const written = (await readFile(output, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as SessionLine);
    const expected = [...byUser].flatMap(([user, times]) => reference(times, 600).map(([start, end, events]) => ({ user, start, end, events })));
    expect(expected.length).toBeGreaterThan(5); // gaps exist: several sessions per user
    expect(written.sort(order)).toEqual(expected.sort(order));
  });

  it('writes events behind the watermark to --late-output; sessions and late events count every event', async () => {
    const { lines } = events(29);
    const input = path.join(dir, 'events-late.ndjson');
    const output = path.join(dir, 'sessions-late.ndjson');
    const late = path.join(dir, 'late.ndjson');
    await writeFile(input, lines.join('\n') + '\n');

    await run(process.execPath, [CLI, 'run', 'sessions', '--input', input, '--output', output, '--gap-ms', '600', '--max-out-of-order-ms', '500', '--late-output', late]);
    const sessions = (await readFile(output, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as SessionLine);
    const lateEvents = (await readFile(late, 'utf8')).trimEnd().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { user: string });
    expect(lateEvents.length).toBeGreaterThan(0);
    expect(sessions.reduce((sum, session) => sum + session.events, 0) + lateEvents.length).toBe(lines.length);
  });

  it('fails on an event without a valid time, naming the file, the byte offset and the event', async () => {
    const input = path.join(dir, 'events-bad.ndjson');
    const good = JSON.stringify({ user: 'ann', time: 1_000 });
    await writeFile(input, `${good}\n${JSON.stringify({ user: 'bob', time: 'garbage' })}\n`);
    const failed = await run(process.execPath, [CLI, 'run', 'sessions', '--input', input, '--output', path.join(dir, 'sessions-bad.ndjson')]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    // Not a dead worker: the source's own failure, where it was read.
    expect(failed?.stderr).toMatch(/operator 'read' \(subtask 0\/1\) failed on byte offset \d+ of .*events-bad\.ndjson .*: event of user bob has no valid time: "garbage"/);
    expect(failed?.stderr).not.toMatch(/died/);
  });
});
