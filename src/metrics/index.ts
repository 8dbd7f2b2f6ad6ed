/** Metrics: latency histograms recorded in workers and merged on the main thread. */
export {
  HIGHEST_TRACKABLE_NANOS,
  LATENCY_BUCKET_COUNT,
  LatencyHistogram,
  SUB_BUCKETS_PER_OCTAVE,
} from './histogram.js';
export type { LatencyHistogramJSON, LatencySummary, LatencyUnit } from './histogram.js';
