/**
 * `sluice run` hands every flag it does not own to the job module. A mistyped sluice flag
 * (`--paralelism`, `--checkpoint-intervall`) would silently become a job option; this finds such
 * flags: one that starts like a family of sluice flags, or one a typo or two away from a sluice flag.
 */

/** Prefixes that only sluice's own flags use: a job option must not start with them. */
const RESERVED_PREFIXES = ['checkpoint-', 'restart', 'restore', 'savepoint', 'inject-', 'alignment-'] as const;

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `known` to `name` within the distance a typo explains, if any. */
export function closestFlag(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const flag of known) {
    const distance = editDistance(name, flag);
    if (distance < bestDistance) {
      best = flag;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor((best?.length ?? 0) / 5));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/**
 * Why a flag left for the job looks like a mistyped sluice flag, with a suggestion, or undefined
 * when it looks like a job option.
 */
export function mistypedSluiceFlag(name: string, known: readonly string[]): string | undefined {
  const close = closestFlag(name, known);
  if (close !== undefined) return `unknown option --${name}; did you mean --${close}?`;
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix !== undefined) {
    const family = known.filter((flag) => flag.startsWith(prefix));
    return `unknown option --${name}: sluice's --${prefix}* options are ${family.map((flag) => `--${flag}`).join(', ')}`;
  }
  return undefined;
}
