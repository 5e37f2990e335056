/**
 * Application Auto Scaling's schedules, pure: `at(yyyy-mm-ddThh:mm:ss)`, `rate(n unit)` and
 * `cron(minutes hours day-of-month month day-of-week year)` (EventBridge's cron: `*`, `?`,
 * lists, ranges, steps, month and day names; day-of-week 1–7 is SUN–SAT), in a time zone
 * (IANA name; UTC by default). `L`, `W` and `#` are not supported.
 */
export type Schedule =
  | { kind: "at"; at: string }
  | { kind: "rate"; periodMs: number }
  | { kind: "cron"; fields: Set<number>[] };

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/** Each cron field's range, and the names it accepts (for their 1-based values). */
const FIELDS: { min: number; max: number; names?: string[] }[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 1, max: 7, names: DAYS },
  { min: 1970, max: 2199 },
];

/** The schedule an expression says; a message saying what is wrong with it otherwise. */
export function parseSchedule(expression: string): Schedule | string {
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (at) return { kind: "at", at: at[1] };
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate && Number(rate[1]) > 0) return { kind: "rate", periodMs: Number(rate[1]) * RATE_UNITS[rate[2]] };
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) return `Schedule must be at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields): ${expression}`;
  const parts = cron[1].trim().split(/\s+/);
  if (parts.length !== 6)
    return `A cron expression has 6 fields (minutes hours day-of-month month day-of-week year): ${expression}`;
  const fields: Set<number>[] = [];
  for (const [i, part] of parts.entries()) {
    const values = field(part, FIELDS[i]);
    if (!values) return `Unsupported cron field '${part}' in ${expression}`;
    fields.push(values);
  }
  return { kind: "cron", fields };
}

function field(part: string, spec: (typeof FIELDS)[number]): Set<number> | undefined {
  const values = new Set<number>();
  const value = (text: string) => {
    const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    const n = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
    return n >= spec.min && n <= spec.max ? n : undefined;
  };
  for (const item of part.split(",")) {
    const [range, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return undefined;
    let from: number | undefined;
    let to: number | undefined;
    if (range === "*" || range === "?") [from, to] = [spec.min, spec.max];
    else if (range.includes("-")) [from, to] = range.split("-").map(value);
    else [from, to] = [value(range), stepText === undefined ? value(range) : spec.max];
    if (from === undefined || to === undefined || from > to) return undefined;
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

/** How far back a cron schedule's missed minutes are looked for: a longer outage skips them. */
const CRON_LOOKBACK_MS = 24 * 3_600_000;

/**
 * The schedule's latest occurrence in (`after`, `now`] (epoch ms), if any: when a scheduled
 * action is due. `anchor` is where a rate counts from (the action's start or creation).
 */
export function latestOccurrence(
  schedule: Schedule,
  after: number,
  now: number,
  anchor: number,
  timeZone = "UTC",
): number | undefined {
  switch (schedule.kind) {
    case "at":
      // Wall-clock times in the zone compare as strings.
      return wallClock(now, timeZone).iso >= schedule.at && wallClock(after, timeZone).iso < schedule.at
        ? now
        : undefined;
    case "rate": {
      const k = Math.floor((now - anchor) / schedule.periodMs);
      const latest = anchor + k * schedule.periodMs;
      return k >= 1 && latest > after ? latest : undefined;
    }
    case "cron": {
      const floor = Math.max(after, now - CRON_LOOKBACK_MS);
      for (let minute = Math.floor(now / 60_000) * 60_000; minute > floor; minute -= 60_000) {
        const t = wallClock(minute, timeZone);
        const [mi, h, dom, mon, dow, y] = schedule.fields;
        if (
          mi.has(t.minute) &&
          h.has(t.hour) &&
          dom.has(t.day) &&
          mon.has(t.month) &&
          dow.has(t.weekday) &&
          y.has(t.year)
        ) {
          return minute;
        }
      }
      return undefined;
    }
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** A moment's wall-clock fields in a time zone. */
export function wallClock(ms: number, timeZone: string) {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const [year, month, day, hour, minute] = [parts.year, parts.month, parts.day, parts.hour, parts.minute].map(Number);
  return {
    year,
    month,
    day,
    hour,
    minute,
    weekday: DAYS.indexOf(parts.weekday.toUpperCase()) + 1,
    iso: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`,
  };
}

/** Whether the zone is one Intl knows (an IANA name). */
export function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
