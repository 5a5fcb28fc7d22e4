// Small, pure helpers for terminal output.

/** `42 ms`, `1.3 s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`;
}

/** `2026-11-25 09:30:00 UTC`: one zone for everyone reading a run together. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Compact JSON on one line, cut at `max` characters. */
export function compactJson(value: unknown, max = 120): string {
  const text = JSON.stringify(value) ?? String(value);
  return truncate(text, max);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** Splits text into lines of at most `width` characters at spaces (long words stay whole). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Pads cells to their column's width (`right` columns right-aligned) and joins them; `paint`
 * styles a padded cell, so colours never upset the alignment.
 */
export function table(
  rows: string[][],
  right: number[] = [],
  paint: (cell: string, row: number, column: number) => string = (cell) => cell,
): string[] {
  const widths = columnWidths(rows);
  return rows.map((row, r) => {
    const cells = row.map((cell, i) => {
      const width = widths[i] ?? 0;
      const last = i === row.length - 1;
      const padded = right.includes(i) ? cell.padStart(width) : last ? cell : cell.padEnd(width);
      return paint(padded, r, i);
    });
    return cells.join('  ').trimEnd();
  });
}

export function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return widths;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A field as text, when it is text. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
