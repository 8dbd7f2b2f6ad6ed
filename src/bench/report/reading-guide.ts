/** One figure of the report: what it means and what Flink calls it. */
export interface GuideEntry {
  readonly term: string;
  /** Flink's name for the same figure (web UI or metric), when it has one. */
  readonly flinkName: string;
  readonly meaning: string;
}

/** What every figure in the report means; report.md and report.html print it as "How to read this report". */
export const READING_GUIDE: readonly GuideEntry[] = [
  {
    term: 'checkpoint duration',
    flinkName: 'End to End Duration (lastCheckpointDuration)',
    meaning:
      'From the coordinator triggering a checkpoint until every subtask acknowledged and every snapshot is written and fsynced (the metadata commit follows, outside it). ' +
      'p50, p99 and max over the completed checkpoints of the run. Its parts, for the subtask that acknowledged last: start delay, then ' +
      'alignment, then sync and async. The detail table shows each part as a p50 over all subtasks ' +
      '(start delay: over checkpoints, of the last subtask), so the parts of one row need not add up to its duration: the slowest subtask ' +
      'of a checkpoint sets the duration, the median subtask sets the parts. In aligned mode under backpressure the duration is mostly ' +
      'start delay and alignment of the subtasks furthest downstream.',
  },
  {
    term: 'start delay',
    flinkName: 'Start Delay (checkpointStartDelayNanos)',
    meaning:
      'From the trigger to the first barrier reaching a subtask (at a source: to the source taking the trigger). Per checkpoint, the ' +
      'subtask the barrier reached last; p50 over the checkpoints. An aligned barrier queues behind the data already in the channels, ' +
      'so under backpressure the start delay grows with the channel capacity; an unaligned barrier overtakes the data.',
  },
  {
    term: 'alignment',
    flinkName: 'Alignment Duration (checkpointAlignmentTime)',
    meaning:
      'At a subtask, from the first barrier to the last one of its inputs. In aligned mode the inputs that already delivered the barrier are blocked meanwhile, ' +
      'which is what backpressure makes expensive. Unaligned: first barrier to the snapshot, close to zero.',
  },
  {
    term: 'sync / async',
    flinkName: 'Sync Duration / Async Duration',
    meaning:
      "The snapshot's synchronous part on the subtask's thread (processing pauses), then the asynchronous part on the I/O pool: compression, checksum, write, fsync.",
  },
  {
    term: 'persisted in-flight bytes',
    flinkName: 'Processed (persisted) in-flight data',
    meaning:
      'Records still in the channels that an unaligned barrier overtook, written into the checkpoint as channel state so they can be replayed. ' +
      'Zero for aligned and at-least-once checkpoints; aligned-timeout persists data only after switching to unaligned.',
  },
  {
    term: 'checkpoint size',
    flinkName: 'Checkpointed Data Size / Full Checkpoint Data Size',
    meaning:
      'Bytes of the checkpoint on disk after compression (on disk), and before compression (raw): operator state plus channel state.',
  },
  {
    term: 'latency',
    flinkName: '',
    meaning:
      'Time from a record leaving the source to it reaching the sink, over every record of the run. p99.9: one record in a thousand took longer. ' +
      "Flink's latency markers measure less: they skip the operators' processing.",
  },
  {
    term: 'recovery',
    flinkName: 'restartingTime, roughly',
    meaning:
      'From the injected failure to the first record processed after restoring the last completed checkpoint. ' +
      '"replayed in-flight records" are the records processed from the restored channel state (what an unaligned checkpoint persisted); ' +
      'the records the sources read again from their restored positions are not counted in it.',
  },
  {
    term: 'unaligned : aligned',
    flinkName: '',
    meaning:
      '"unaligned checkpoints 143x shorter" is the aligned checkpoint duration p50 divided by the unaligned one. ' +
      '"p99 latency 0.9x" is the unaligned latency p99 divided by the aligned one: below 1, unaligned latency is lower. ' +
      'Both compare runs of the same scenario, channel capacity and parallelism.',
  },
];

/** Caveats that hold for every report, printed after the guide. */
export const READING_CAVEATS: readonly string[] = [
  'Each figure comes from one run on this machine; timings vary from run to run, so trust ratios and orders of magnitude more than digits.',
  'With fewer than 100 completed checkpoints, the p99 of checkpoint duration is close to the max.',
  'A dash (—) marks a figure the run does not have: mode off takes no checkpoints, and a run without a completed checkpoint has no checkpoint statistics.',
];
