/**
 * Command-line arguments: `--name value`, `--name=value` and `--flag`, repeatable, and
 * positionals. A command takes the flags it owns ({@link ParsedArguments.take}); what is left
 * (for `sluice run`, the job module's own options) stays for {@link ParsedArguments.remaining}.
 */
import { UsageError } from './usage-error.js';

/** A flag's value: the text after it, or `true` when none followed (`--json`, or a value-less `--name` at the end). */
export type FlagValue = string | true;

/** Options of {@link parseArguments}. */
export interface ParseArgumentsOptions {
  /** Flags that never take a value, so the word after them is a positional (`--json <dir>`). */
  readonly booleanFlags?: ReadonlySet<string>;
}

/** Arguments split into positionals and flags; flags are taken one name at a time. */
export class ParsedArguments {
  /** Words that are not flags or flag values, in order. */
  readonly positionals: readonly string[];
  readonly #command: string;
  readonly #flags: Map<string, FlagValue[]>;

  constructor(command: string, positionals: readonly string[], flags: Map<string, FlagValue[]>) {
    this.#command = command;
    this.positionals = positionals;
    this.#flags = flags;
  }

  /** Whether `--name` was given (and not yet taken). */
  has(name: string): boolean {
    return this.#flags.has(name);
  }

  /** `--name`'s last value, or undefined if absent, leaving it for {@link remaining}. */
  peek(name: string): FlagValue | undefined {
    const values = this.#flags.get(name);
    return values?.[values.length - 1];
  }

  /** Takes `--name`: its last value, or undefined if absent. */
  take(name: string): FlagValue | undefined {
    const value = this.peek(name);
    this.#flags.delete(name);
    return value;
  }

  /** Takes `--name <value>`; a `--name` without a value is a usage error that shows `shape`. */
  takeString(name: string, shape: string): string | undefined {
    const value = this.take(name);
    if (value === true) throw new UsageError(this.#command, `--${name} needs a value: --${name} ${shape}`);
    return value;
  }

  /** Takes every value of a repeatable `--name <value>`, in order. */
  takeAll(name: string, shape: string): string[] {
    const values = this.#flags.get(name) ?? [];
    this.#flags.delete(name);
    return values.map((value) => {
      if (value === true) throw new UsageError(this.#command, `--${name} needs a value: --${name} ${shape}`);
      return value;
    });
  }

  /** Takes `--name <integer>`, checked against `min`; the message names the flag and what it needs. */
  takeInteger(name: string, shape: string, min: number): number | undefined {
    const text = this.takeString(name, shape);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
      const range = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer >= ${min}`;
      throw new UsageError(this.#command, `--${name} must be ${range}, got '${text}'`);
    }
    return value;
  }

  /** Takes `--flag` given without a value; `--flag=value` is a usage error. */
  takeBoolean(name: string): boolean {
    const value = this.take(name);
    if (value === undefined) return false;
    if (value !== true) throw new UsageError(this.#command, `--${name} takes no value, got '${value}'`);
    return true;
  }

  /** The flags nobody took, each with its last value: a job module's own options. */
  remaining(): Record<string, FlagValue> {
    const options: Record<string, FlagValue> = {};
    for (const [name, values] of this.#flags) options[name] = values[values.length - 1]!;
    return options;
  }

  /** Throws a usage error naming the first flag nobody took (for commands with no pass-through options). */
  rejectRemaining(): void {
    const [name] = this.#flags.keys();
    if (name !== undefined) throw new UsageError(this.#command, `unknown option --${name}`);
  }
}

/**
 * Splits `args` for `command` (named in errors). `--name value` takes the next word as the value
 * unless it starts with `--` (so `--seed -1` works) or `name` is a boolean flag; `--` ends the
 * flags: every word after it is a positional. `-h` is `--help`.
 */
export function parseArguments(command: string, args: readonly string[], options: ParseArgumentsOptions = {}): ParsedArguments {
  const booleanFlags = options.booleanFlags ?? new Set<string>();
  const positionals: string[] = [];
  const flags = new Map<string, FlagValue[]>();
  const add = (name: string, value: FlagValue, arg: string) => {
    if (name.length === 0) throw new UsageError(command, `'${arg}' is not an option: an option is --<name> [value]`);
    const values = flags.get(name);
    if (values) values.push(value);
    else flags.set(name, [value]);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h') {
      add('help', true, arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    if (equals > 0) {
      add(arg.slice(2, equals), arg.slice(equals + 1), arg);
    } else if (!booleanFlags.has(arg.slice(2)) && i + 1 < args.length && !args[i + 1]!.startsWith('--')) {
      add(arg.slice(2), args[++i]!, arg);
    } else {
      add(arg.slice(2), true, arg);
    }
  }
  return new ParsedArguments(command, positionals, flags);
}
