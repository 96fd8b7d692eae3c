/**
 * ISO 8601 weeks in UTC (Monday to Monday; week 1 holds the year's first Thursday), as the weekly report names
 * them: `2026-W48`.
 */

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

/** Monday 00:00 UTC of the week holding `at`. */
export function weekStartOf(at: number): number {
  const day = Math.floor(at / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counted from Monday.
  const weekday = (((day + 3) % 7) + 7) % 7;
  return (day - weekday) * DAY_MS;
}

/** Monday 00:00 UTC of week 1 of an ISO year: the week holding 4 January. */
function firstWeekStart(year: number): number {
  return weekStartOf(Date.UTC(year, 0, 4));
}

/** 52 or 53: the week of 28 December is the year's last. */
function weeksIn(year: number): number {
  return Math.round((weekStartOf(Date.UTC(year, 11, 28)) - firstWeekStart(year)) / WEEK_MS) + 1;
}

/** The ISO name of the week starting at `start` (a Monday midnight, UTC). */
export function weekName(start: number): string {
  const year = new Date(start + 3 * DAY_MS).getUTCFullYear(); // the year of its Thursday
  const week = Math.round((start - firstWeekStart(year)) / WEEK_MS) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * `last` (the last complete week before `now`) or `YYYY-Www`, to the week's start; an error in words otherwise,
 * including a week that has not begun at `now`.
 */
export function parseWeek(text: string, now: number): { start: number } | { error: string } {
  if (text === 'last') return { start: weekStartOf(now) - WEEK_MS };
  const m = /^(\d{4})-W(\d{2})$/.exec(text);
  if (!m) return { error: `must be "last" or an ISO week such as 2026-W48, got "${text}"` };
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (year < 1990 || year > 2099) return { error: `year ${year} is out of range (1990-2099)` };
  if (week < 1 || week > weeksIn(year)) return { error: `${year} has weeks 01 to ${weeksIn(year)}` };
  const start = firstWeekStart(year) + (week - 1) * WEEK_MS;
  if (start > now) return { error: `${text} has not begun yet` };
  return { start };
}

/** The UTC date of an instant: 2026-11-23. */
export function isoDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}
