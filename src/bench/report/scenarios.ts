import type { Scenario } from './report-types.js';

/** What a scenario measures, for the headings of every output. */
export interface ScenarioInfo {
  readonly title: string;
  readonly description: string;
}

/** Every scenario in the order reports list them. */
export const SCENARIO_ORDER: readonly Scenario[] = ['backpressure', 'flink-ctb', 'throughput', 'recovery'];

const SCENARIOS: Readonly<Record<Scenario, ScenarioInfo>> = {
  backpressure: {
    title: 'Backpressure',
    description: 'A slow sink keeps every channel full, so a barrier that travels with the data waits behind a full ring at every hop.',
  },
  'flink-ctb': {
    title: "Flink's CheckpointingTimeBenchmark",
    description:
      "The setup of Flink's CheckpointingTimeBenchmark (checkpoint time under backpressure), beside Flink's published figure for each mode. " +
      'The sink that sleeps 1 ms per record is in a slot sharing group of its own, so it runs on threads of its own, as every Flink task does. ' +
      "Flink's figures come from Flink's own benchmark machines: compare orders of magnitude, not digits.",
  },
  throughput: {
    title: 'Throughput',
    description: 'No backpressure: what taking checkpoints costs in records per second and latency.',
  },
  recovery: {
    title: 'Recovery',
    description: 'A subtask fails; the job restores the last completed checkpoint and the sources replay from there.',
  },
};

/** Title and description of a scenario; an unknown scenario is shown under its own name. */
export function scenarioInfo(scenario: Scenario | string): ScenarioInfo {
  return SCENARIOS[scenario as Scenario] ?? { title: String(scenario), description: '' };
}

/** Position of a scenario in {@link SCENARIO_ORDER}; unknown scenarios sort last. */
export function scenarioRank(scenario: Scenario | string): number {
  const index = SCENARIO_ORDER.indexOf(scenario as Scenario);
  return index === -1 ? SCENARIO_ORDER.length : index;
}
