// The times the trigger API's query windows accept (stats, step value, backtests): an ISO 8601
// time, or a time before now.

/** An ISO 8601 time, or a time before now: `30m`, `12h`, `7d`. */
export const TIME = /^(\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?|\d{1,6}[mhd])$/;
export const TIME_MESSAGE = 'must be an ISO 8601 time or a time ago such as 30m, 12h, 7d';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `7d` → now minus seven days; an ISO time as it is; undefined when it is not a time. */
export function timeOf(value: string, now: Date): Date | undefined {
  const ago = /^(\d+)([mhd])$/.exec(value);
  const at = ago
    ? new Date(now.getTime() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS])
    : new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
