// Small formatters shared by the views. Pure functions, tested in format.test.ts.

/** 1536 → "1.5 KiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time of a µs timestamp, with milliseconds: "14:03:07.123". */
export function clock(us: number): string {
  const d = new Date(us / 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local date and time of a µs timestamp: "2026-11-28 14:03:07.123". */
export function dateTime(us: number): string {
  const d = new Date(us / 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(us)}`;
}

/** Milliseconds for people: "0.4 ms", "12 ms", "1.2 s". */
export function millis(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** How far `at` is from `now`, for people: "in 30 s", "in 4 min", "2 h ago". */
export function relative(at: number, now: number): string {
  const s = Math.round((at - now) / 1000);
  const abs = Math.abs(s);
  const amount = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return s >= 0 ? `in ${amount}` : `${amount} ago`;
}
