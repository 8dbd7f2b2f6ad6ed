/**
 * The report does not contradict itself about failed checkpoints: a checkpoint still in progress
 * when the run ended is drawn apart on the timeline ("in progress when the run ended", grey) and
 * is not counted as failed, so the timeline's caption gives the same failed count as the table.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml, type BenchReport } from '../../src/bench/report/index.js';
import { sampleReport } from '../fixtures/bench/sample-report.js';

/** The sample report with the last checkpoint of the unaligned 8 MiB timeline discarded at the end of the run. */
function reportWithDiscarded(): BenchReport {
  const report = sampleReport();
  return {
    ...report,
    runs: report.runs.map((run) => {
      if (!(run.scenario === 'backpressure' && run.mode === 'unaligned' && run.channelBytes === 8 * 1024 * 1024 && run.timeline)) return run;
      const checkpoints = run.timeline.checkpoints.map((checkpoint) => ({ ...checkpoint, status: 'completed' as const }));
      const last = checkpoints[checkpoints.length - 1]!;
      return {
        ...run,
        checkpoints: { ...run.checkpoints, completed: checkpoints.length - 1, failed: 0 },
        timeline: { ...run.timeline, checkpoints: [...checkpoints.slice(0, -1), { ...last, status: 'discarded' as const }] },
      };
    }),
  };
}

describe('the timeline and the table count failed checkpoints alike', () => {
  it('draws a checkpoint discarded at the end apart and does not call it failed', () => {
    const report = reportWithDiscarded();
    const run = report.runs.find((candidate) => candidate.timeline?.checkpoints.some((checkpoint) => checkpoint.status === 'discarded'))!;
    const total = run.timeline!.checkpoints.length;
    const html = renderHtml(report);
    const svg = html.match(/<svg\b[^>]*data-chart="timeline"[^>]*>[\s\S]*?<\/svg>/)![0];
    expect(svg.match(/<g data-span="discarded"/g)).toHaveLength(1);
    expect(svg).not.toContain('data-span="failed"');
    expect(svg).toContain('checkpoint in progress when the run ended');
    expect(html).toContain(`${total - 1} completed and 0 failed checkpoints, as in the table; 1 still in progress when the run ended (grey, not a failure).`);
  });
});
