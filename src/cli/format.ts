/** Text formatting for the `sluice` command's output: sizes, durations, times, tables, shell words. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `1536` -> `1.5 KiB`; whole bytes below 1 KiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${BYTE_UNITS[unit]}`;
}

/** `0.0123` -> `0.012 ms`, `35.2` -> `35 ms`, `1234` -> `1.23 s`. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(3)} ms`;
}

/** A timestamp (ms since the epoch) as ISO 8601 in UTC, to the millisecond. */
export function formatTimestamp(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '?';
}

/** How a table column is aligned: text left, numbers right. */
export type ColumnAlignment = 'left' | 'right';

/** A column of {@link renderTable}. */
export interface TableColumn {
  readonly header: string;
  readonly align?: ColumnAlignment;
}

/**
 * Renders rows under headers, columns padded to their widest cell and separated by two spaces;
 * every line starts with `indent`. Trailing spaces are trimmed.
 */
export function renderTable(columns: readonly TableColumn[], rows: ReadonlyArray<readonly string[]>, indent = ''): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        return column.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)].join('\n') + '\n';
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes a word for a POSIX shell when it needs it: `it's` -> `'it'\''s'`. */
export function shellQuote(word: string): string {
  return word.length > 0 && SHELL_SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line from its words, each quoted as a POSIX shell needs. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
