// When a provider says its limit lifts: "retry-after: 30", "Please retry in 41.7s", "retryDelay":
// "41s", "try again in 2 hours 5 minutes", "resets at 3:04 PM", "resets 2pm (Europe/Berlin)".

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hr: 3600, hour: 3600, d: 86400, day: 86400 };
const UNIT = '(ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)';

/** Seconds to wait, or the epoch ms when the limit resets, as read from one line; null when it says neither. */
export function readResetTime(line: string, now: number): number | null {
  const after = /retry[- ]?after["']?[:=\s]+["']?(\d+(?:\.\d+)?)\s*(ms)?\b/i.exec(line);
  if (after) return now + Number(after[1]) * (after[2] ? 1 : 1000);
  const delay = /retry_?delay["']?\s*[:=]\s*["']?(\d+(?:\.\d+)?)s/i.exec(line);
  if (delay) return now + Number(delay[1]) * 1000;
  const within = /(?:try again|retry|resets?|available again)\s+in\s+((?:\d+(?:\.\d+)?\s*[a-z]+[\s,]*(?:and\s+)?)+)/i.exec(line);
  if (within?.[1]) {
    let seconds = 0;
    for (const part of within[1].matchAll(new RegExp(`(\\d+(?:\\.\\d+)?)\\s*${UNIT}\\b`, 'gi'))) seconds += Number(part[1]) * (UNIT_SECONDS[unitKey(part[2] ?? '')] ?? 0);
    if (seconds > 0) return now + seconds * 1000;
  }
  const at = /(?:resets?|try again|available again)(?:\s+at)?\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b(?:\s*\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*)\))?/i.exec(line);
  if (at && (at[2] !== undefined || at[3] !== undefined)) {
    let hour = Number(at[1]);
    const minute = Number(at[2] ?? 0);
    const half = at[3]?.toLowerCase();
    if (half === 'pm' && hour < 12) hour += 12;
    if (half === 'am' && hour === 12) hour = 0;
    if (hour > 23 || minute > 59) return null;
    return nextClockTime(hour, minute, at[4] ?? null, now);
  }
  return null;
}

function unitKey(unit: string): string {
  const u = unit.toLowerCase();
  if (u === 'ms') return 'ms';
  if (u.startsWith('sec') || u === 's') return 's';
  if (u.startsWith('min') || u === 'm') return 'm';
  if (u.startsWith('h')) return 'h';
  return 'd';
}

/** The next time the clock in `zone` (else local time) shows hour:minute, after `now`. */
function nextClockTime(hour: number, minute: number, zone: string | null, now: number): number | null {
  let offsetMs: number;
  try {
    offsetMs = zone ? zoneOffsetMs(zone, now) : -new Date(now).getTimezoneOffset() * 60_000;
  } catch {
    return null; // an unknown zone name: the time cannot be told
  }
  const wall = new Date(now + offsetMs);
  let at = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), hour, minute) - offsetMs;
  if (at <= now) at += 86_400_000;
  return at;
}

function zoneOffsetMs(zone: string, now: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(now)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
}
