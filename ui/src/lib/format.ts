// Numbers as the engine prints them: a port of the engine's one definition,
// crates/engine/src/chart/format.rs (`value(ValueKind, x)` and `compact`),
// rule for rule: `780,928`, `24.8%`, `0.45%`, `+12.4%`, `3 min 20 s`,
// `2.4 days`, `12.4M`, negatives with a true minus (U+2212), not-a-number as
// an en dash. Decimals are the exact binary value rounded half to even, as
// Rust's `format!("{:.N}")` does. Independent of the machine's locale, so the
// screen, the report and the CLI agree; format.integration.test.ts checks
// every kind against `stepwise format KIND --json` (the engine itself).
// Change a rule in chart/format.rs first, then here.

import type { ValueKind } from './bindings/ValueKind';

/**
 * What the engine prints for not-a-number (NaN, infinity) and what the app
 * prints for a missing value (null): an en dash (docs/reports.md, "Numbers").
 */
export const MISSING = '\u2013';
const MINUS = '\u2212';

/**
 * Rust's `format!("{:.d}", x)` for finite x >= 0: the exact value of the
 * double rounded to `d` decimals, ties to even, every digit written out
 * (no exponent, however large).
 */
function fixed(x: number, d: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const bits = view.getUint32(4);
  const exp = (hi >>> 20) & 0x7ff;
  // |x| = m * 2^e exactly
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(bits);
  let e = -1074;
  if (exp !== 0) {
    m |= 1n << 52n;
    e = exp - 1075;
  }
  const scale = 10n ** BigInt(d);
  let q: bigint;
  if (e >= 0) {
    q = (m << BigInt(e)) * scale;
  } else {
    const num = m * scale;
    const den = 1n << BigInt(-e);
    q = num / den;
    const twice = (num % den) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  }
  const s = q.toString();
  if (d === 0) return s;
  const padded = s.padStart(d + 1, '0');
  return `${padded.slice(0, -d)}.${padded.slice(-d)}`;
}

/** `780928` -> `780,928` (a string of digits). */
function groupDigits(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** Engine `number`: thousands separators, `decimals` decimals, true minus; `−0.00` prints as `0.00`. */
function number(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return MISSING;
  const s = fixed(x, decimals);
  const [int, frac] = s.split('.');
  const isZero = /^[0.]*$/.test(s);
  return (x < 0 && !isZero ? MINUS : '') + groupDigits(int) + (frac === undefined ? '' : `.${frac}`);
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Engine `percent`: one decimal, two below 1%, `0%` and `100%` for exactly 0 and 1. */
function percent(rate: number): string {
  if (!Number.isFinite(rate)) return MISSING;
  if (rate === 0) return '0%';
  if (rate === 1) return '100%';
  const p = rate * 100;
  return `${number(p, Math.abs(p) < 0.995 ? 2 : 1)}%`;
}

/** Engine `signed_percent`: `+12.4%`, `−3.0%`, `0%`. */
function signedPercent(change: number): string {
  if (!Number.isFinite(change)) return MISSING;
  const body = percent(Math.abs(change));
  if (body === '0%' || body === '0.00%') return '0%';
  return (change > 0 ? '+' : MINUS) + body;
}

/** Engine `p_plain`: `< 0.001`, three decimals below 0.01, else two. */
function pPlain(p: number): string {
  if (!Number.isFinite(p)) return MISSING;
  if (p < 0.001) return '< 0.001';
  return fixed(p, p < 0.01 ? 3 : 2);
}

/** Engine `duration`: `45 s`, `3 min 20 s`, `2 h 5 min`, `2.4 days`; one decimal below ten seconds. */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return MISSING;
  if (seconds < 0) {
    // a negative time that rounds to zero is plain 0, as in `number`
    const body = duration(-seconds);
    return body === '0 s' ? body : MINUS + body;
  }
  const dropZero = (s: string) => (s.endsWith('.0') ? s.slice(0, -2) : s);
  if (seconds < 10) return `${dropZero(fixed(seconds, 1))} s`;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3600) {
    const [m, s] = [Math.floor(total / 60), total % 60];
    return s === 0 ? `${m} min` : `${m} min ${s} s`;
  }
  if (total < 86_400) {
    const minutes = Math.round(seconds / 60);
    const [h, m] = [Math.floor(minutes / 60), minutes % 60];
    if (h >= 24) return '1 day';
    return m === 0 ? `${h} h` : `${h} h ${m} min`;
  }
  const days = dropZero(fixed(seconds / 86_400, 1));
  return days === '1' ? '1 day' : `${days} days`;
}

/** Engine `compact`: `780,928` stays, `12.4M`, `1.2B`. */
function compact(x: number): string {
  if (!Number.isFinite(x)) return MISSING;
  const a = Math.abs(x);
  if (a >= 1e9) return `${trimZeros(number(x / 1e9, 1))}B`;
  if (a >= 1e6) return `${trimZeros(number(x / 1e6, 1))}M`;
  if (Number.isInteger(x)) return number(x, 0);
  return trimZeros(number(x, 2));
}

/** Engine `value(kind, x)`: one value of a kind as tables and labels show it. */
function value(kind: ValueKind, x: number): string {
  switch (kind) {
    case 'count':
      return number(x, 0);
    case 'rate':
      return percent(x);
    case 'lift':
      return signedPercent(x);
    case 'seconds':
      return duration(x);
    case 'money':
      return number(x, 2);
    case 'p_value':
      return pPlain(x);
    case 'number':
      if (Number.isInteger(x)) return number(x, 0);
      return number(x, Math.abs(x) >= 100 ? 1 : 2);
  }
}

type Maybe = number | null | undefined;
const given = (x: Maybe): x is number => x !== null && x !== undefined;

/** A value of an engine kind (`stepwise format KIND`); a missing value prints as an en dash. */
export function formatValue(kind: ValueKind, x: Maybe): string {
  return given(x) ? value(kind, x) : MISSING;
}

/** A count: `780,928`; a fraction rounds to a whole number (half to even). */
export function formatCount(n: Maybe): string {
  return formatValue('count', n);
}

/** A large number for a tight space (`stepwise format compact`): `780,928` stays, `12.4M`, `1.2B`. */
export function formatCompact(n: Maybe): string {
  return given(n) ? compact(n) : MISSING;
}

/** A rate (fraction 0..1): `24.8%`, `0.45%` below 1%, `0%` and `100%` for exactly 0 and 1. */
export function formatRate(r: Maybe): string {
  return formatValue('rate', r);
}

/** Seconds as a duration: `45 s`, `3 min 20 s`, `2 h 5 min`, `2.4 days`. */
export function formatDuration(seconds: Maybe): string {
  return formatValue('seconds', seconds);
}

/** A confidence level (`stepwise format confidence`, the engine's `level`): `95%`, `97.5%`. */
export function formatConfidence(c: Maybe): string {
  if (!given(c) || !Number.isFinite(c)) return MISSING;
  const pct = c * 100;
  return `${number(pct, Math.abs(pct - Math.round(pct)) < 1e-9 ? 0 : 1)}%`;
}

/** Bytes: "812 B", "4.2 KB", "12.4 MB", "1.3 GB" (powers of 1024). */
export function formatBytes(b: number | null | undefined): string {
  if (b === null || b === undefined || !Number.isFinite(b)) return MISSING;
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
  if (!iso) return MISSING;
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
