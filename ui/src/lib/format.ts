// Number formatting per UI.md: `780,928`, `24.8%`, `0.45%`, `3 min 20 s`,
// `2.4 days`. Never `800000.0`. Independent of the machine's locale so the
// screen, the tests and the reports agree.

const DASH = '—';

/** Integer with thousands separators: 780928 -> "780,928". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const neg = n < 0;
  const digits = Math.round(Math.abs(n)).toString();
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return neg ? '-' + out : out;
}

/** Compact count for status lines: 1234567 -> "1.2M", 12330 -> "12.3K", 950 -> "950". */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  const a = Math.abs(n);
  const sign = n < 0 ? '-' : '';
  const unit = (v: number, s: string) => {
    const t = v.toFixed(1);
    return sign + (t.endsWith('.0') ? t.slice(0, -2) : t) + s;
  };
  if (a >= 1e9) return unit(a / 1e9, 'B');
  if (a >= 1e6) return unit(a / 1e6, 'M');
  if (a >= 1e4) return unit(a / 1e3, 'K');
  return formatCount(n);
}

/**
 * A rate (fraction 0..1) as a percentage: one decimal ("24.8%"), two below
 * 1% ("0.45%"); exactly 0 and 1 print as "0%" and "100%".
 */
export function formatRate(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return DASH;
  if (r === 0) return '0%';
  if (r === 1) return '100%';
  const pct = r * 100;
  const small = Math.abs(pct) < 1;
  let s = pct.toFixed(small ? 2 : 1);
  // 0.999 -> "1.00" would read as a small rate with two decimals; re-round.
  if (small && Math.abs(Number(s)) >= 1) s = pct.toFixed(1);
  if (s === '100.0' && r < 1) s = '99.9';
  if (s === '0.00') s = r > 0 ? '<0.01' : '-0.00';
  return s + '%';
}

/** Seconds as a duration: "45 s", "3 min 20 s", "2 h 5 min", "2.4 days". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s < 9.95) {
    const t = s.toFixed(1);
    return sign + (t.endsWith('.0') ? t.slice(0, -2) : t) + ' s';
  }
  // Round once at the finest unit shown, then split, so 59.7 s reads "1 min".
  const r = Math.round(s);
  if (r < 60) return `${sign}${r} s`;
  if (r < 3600) {
    const m = Math.floor(r / 60);
    const sec = r % 60;
    return sign + (sec === 0 ? `${m} min` : `${m} min ${sec} s`);
  }
  const mins = Math.round(s / 60);
  if (mins < 1440) {
    const h = Math.floor(mins / 60);
    const m = mins % 60;
    return sign + (m === 0 ? `${h} h` : `${h} h ${m} min`);
  }
  const d = (s / 86400).toFixed(1);
  return sign + (d === '1.0' ? '1 day' : `${d} days`);
}

/** Bytes: "812 B", "4.2 KB", "12.4 MB", "1.3 GB" (powers of 1024). */
export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Milliseconds for the status bar: "38 ms", "1.2 s". */
export function formatMillis(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** An RFC 3339 instant as a short local date ("2026-11-25 20:34"). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A preview cell as text. */
export function formatCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(12)));
  }
  return String(v);
}

/**
 * A preview cell of a typed column. The engine stores a timestamp as
 * microseconds since 1970 UTC, a date as days since 1970 and a duration as
 * milliseconds; numbers of those types are shown as what they mean (UTC).
 */
export function formatTypedCell(v: string | number | boolean | null, type: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (type === 'timestamp') return new Date(v / 1000).toISOString().replace('T', ' ').replace(/(\.000)?Z$/, '');
    if (type === 'date') return new Date(v * 86400000).toISOString().slice(0, 10);
    if (type === 'duration') return formatDuration(v / 1000);
  }
  return formatCell(v);
}

/** "1 step", "4 steps". */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
