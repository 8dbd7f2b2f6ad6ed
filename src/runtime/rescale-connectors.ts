/**
 * The worker side of a restore at another parallelism for sources and sinks: asks the
 * connector for this subtask's share of the old subtasks' positions or states.
 */
import type { SinkContext, SinkFunction, SourceContext, SourceFunction } from '../api/functions.js';
import { SluiceError } from '../errors/sluice-error.js';
import type { SubtaskSnapshot } from './deployment.js';

/** A checkpoint is restored at another parallelism and a connector cannot take part. */
export class RescaleUnsupportedError extends SluiceError {
  constructor(message: string) {
    super('SLUICE_RESCALE_UNSUPPORTED', message);
  }
}

/** This source subtask's position after a rescaled restore. */
export function rescaleSourcePosition(
  operator: string,
  source: SourceFunction<unknown>,
  ctx: SourceContext,
  rescaled: NonNullable<SubtaskSnapshot['rescaledSource']>,
): unknown {
  if (!source.rescalePosition) {
    throw new RescaleUnsupportedError(
      `source '${operator}' cannot be restored at parallelism ${ctx.parallelism}: the checkpoint ran it at parallelism ` +
        `${rescaled.previous.length} and the source has no rescalePosition(); restore it at parallelism ${rescaled.previous.length}`,
    );
  }
  return source.rescalePosition(ctx, rescaled.previous);
}

/** This sink subtask's state after a rescaled restore. */
export function rescaleSinkState(
  operator: string,
  sink: SinkFunction<unknown>,
  ctx: SinkContext,
  rescaled: NonNullable<SubtaskSnapshot['operators'][number]['rescaledSink']>,
): unknown {
  const { states, previousParallelism } = rescaled;
  if (sink.rescaleState) return sink.rescaleState(ctx, states, previousParallelism);
  if (states.every(({ state }) => state === undefined)) return undefined;
  throw new RescaleUnsupportedError(
    `sink '${operator}' cannot be restored at parallelism ${ctx.parallelism}: the checkpoint ran it at parallelism ` +
      `${previousParallelism}, it has state and no rescaleState(); restore it at parallelism ${previousParallelism}`,
  );
}
