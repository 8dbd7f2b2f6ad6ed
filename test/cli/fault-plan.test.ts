import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAULT_CHECKPOINT_PHASES, describeFault, parseFaultSpec, randomFaultPlan } from '../../src/cli/fault-plan.js';
import type { FaultTarget } from '../../src/cli/fault-plan.js';
import type { InjectedFault } from '../../src/runtime/deployment.js';

const TARGETS: FaultTarget[] = [
  { name: 'read', kind: 'source', parallelism: 2 },
  { name: 'split words', kind: 'flatMap', parallelism: 3 },
  { name: 'count:per:key', kind: 'process', parallelism: 4 },
  { name: 'write', kind: 'sink', parallelism: 1 },
];

/** An `--inject-failure` value for a fault, written the way the help describes. */
function specOf(fault: InjectedFault): string {
  const trigger =
    fault.afterRecords !== undefined
      ? `after-records=${fault.afterRecords}`
      : `${fault.atCheckpoint!.phase}${fault.atCheckpoint!.checkpointId === undefined ? '' : `=${fault.atCheckpoint!.checkpointId}`}`;
  return `${fault.operator}:${fault.subtask}:${fault.kind}:${trigger}${fault.attempt ? `:${fault.attempt}` : ''}`;
}

const faultArbitrary: fc.Arbitrary<InjectedFault> = fc.record({
  operator: fc.string({ minLength: 1, maxLength: 12 }),
  subtask: fc.nat({ max: 1000 }),
  kind: fc.constantFrom('throw' as const, 'exit' as const),
  attempt: fc.nat({ max: 20 }),
  trigger: fc.oneof(
    fc.record({ afterRecords: fc.integer({ min: 1, max: 1e9 }) }),
    fc.record({ atCheckpoint: fc.record({ phase: fc.constantFrom(...FAULT_CHECKPOINT_PHASES) }) }),
    fc.record({ atCheckpoint: fc.record({ phase: fc.constantFrom(...FAULT_CHECKPOINT_PHASES), checkpointId: fc.integer({ min: 1, max: 1e6 }) }) }),
  ),
}).map(({ trigger, ...fault }) => ({ ...fault, ...trigger }));

describe('fault plans', () => {
  it('parses every --inject-failure value back into the fault it was written from, operator names with ":" included', () => {
    fc.assert(
      fc.property(faultArbitrary, (fault) => {
        expect(parseFaultSpec(specOf(fault))).toEqual(fault);
      }),
    );
  });

  it('reads a spec without an attempt as attempt 0', () => {
    expect(parseFaultSpec('count:1:exit:after-ack')).toEqual({ operator: 'count', subtask: 1, kind: 'exit', attempt: 0, atCheckpoint: { phase: 'after-ack' } });
  });

  it('draws the same plan for the same seed, and another for another seed', () => {
    const plan = (seed: number) => randomFaultPlan(TARGETS, { failures: 6, seed, maxRecords: 500 });
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
  });

  it('strikes failure i in attempt i, in a subtask of an operator that is not a source, with alternating kinds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 5000 }), (seed, failures, maxRecords) => {
        const plan = randomFaultPlan(TARGETS, { failures, seed, maxRecords });
        expect(plan).toHaveLength(failures);
        plan.forEach((fault, i) => {
          const target = TARGETS.find((candidate) => candidate.name === fault.operator)!;
          expect(target.kind).not.toBe('source');
          expect(fault.subtask).toBeLessThan(target.parallelism);
          expect(fault.attempt).toBe(i);
          expect(fault.kind).toBe(i % 2 === 0 ? 'throw' : 'exit');
          if (fault.afterRecords !== undefined) {
            expect(fault.afterRecords).toBeGreaterThanOrEqual(1);
            expect(fault.afterRecords).toBeLessThanOrEqual(maxRecords);
            expect(fault.atCheckpoint).toBeUndefined();
          } else {
            expect(FAULT_CHECKPOINT_PHASES).toContain(fault.atCheckpoint?.phase);
          }
          // What the run prints can be written back as --inject-failure.
          expect(parseFaultSpec(specOf(fault))).toEqual(fault);
        });
      }),
    );
  });

  it('uses both kinds of trigger and every operator that is not a source over many seeds', () => {
    const faults = Array.from({ length: 200 }, (_, seed) => randomFaultPlan(TARGETS, { failures: 1, seed, maxRecords: 100 })[0]!);
    expect(new Set(faults.map((fault) => fault.operator))).toEqual(new Set(['split words', 'count:per:key', 'write']));
    expect(faults.some((fault) => fault.afterRecords !== undefined)).toBe(true);
    expect(new Set(faults.flatMap((fault) => (fault.atCheckpoint ? [fault.atCheckpoint.phase] : [])))).toEqual(new Set(FAULT_CHECKPOINT_PHASES));
  });

  it('describes a fault as a line of the printed plan', () => {
    expect(describeFault({ operator: 'count', subtask: 1, kind: 'throw', attempt: 0, afterRecords: 42 })).toBe("attempt 0: 'count' subtask 1 throws after 42 records");
    expect(describeFault({ operator: 'write', subtask: 0, kind: 'exit', attempt: 2, atCheckpoint: { phase: 'after-ack', checkpointId: 3 } })).toBe(
      "attempt 2: 'write' subtask 0 exits (its worker thread ends) at after-ack of checkpoint 3",
    );
  });
});
