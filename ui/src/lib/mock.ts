// An in-memory stand-in for the Rust side, for `npm run dev` at /?mock only
// (the production build never includes it). It generates a small store
// clickstream and computes plain ordered funnels over it, so the screens can
// be looked at and clicked through in a browser.

import type { Api } from './api';
import type {
  Cell,
  ColumnInfo,
  DatasetInfo,
  Filter,
  FunnelResult,
  FunnelSpec,
  FunnelStep,
  ItemKind,
  SavedItem,
  StepResult,
} from './types';

interface Table {
  info: DatasetInfo;
  rows: Cell[][];
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const EVENT_COLUMNS: ColumnInfo[] = [
  { name: 'user_id', type: 'text', role: 'user' },
  { name: 'event_time', type: 'timestamp', role: 'time' },
  { name: 'event_name', type: 'text', role: 'event' },
  { name: 'page_path', type: 'text', role: 'page' },
  { name: 'device_category', type: 'text', role: 'dimension' },
  { name: 'country', type: 'text', role: 'dimension' },
  { name: 'value', type: 'decimal', role: 'value' },
];

function storeEvents(users: number, seed: number): Cell[][] {
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const rows: Cell[][] = [];
  const start = Date.UTC(2024, 8, 1);
  for (let u = 0; u < users; u++) {
    const id = `u${String(u).padStart(6, '0')}`;
    const device = r() < 0.6 ? 'mobile' : r() < 0.85 ? 'desktop' : 'tablet';
    const country = pick(['GB', 'US', 'DE', 'FR', 'NL', 'ES']);
    let t = start + Math.floor(r() * 29 * 86400e3);
    const push = (ev: string, page: string, value: number | null = null) => {
      t += Math.floor(5e3 + r() * 240e3);
      rows.push([id, new Date(t).toISOString(), ev, page, device, country, value]);
    };
    push('session_start', '/');
    push('page_view', '/');
    if (r() < 0.7) {
      const product = `/product/${Math.floor(r() * 40)}`;
      push('view_item', product);
      if (r() < 0.3) push('use_filter', '/search');
      if (r() < (device === 'mobile' ? 0.28 : 0.4)) {
        push('add_to_cart', product);
        if (r() < 0.55) {
          push('begin_checkout', '/checkout');
          if (r() < 0.5) push('add_shipping_info', '/checkout/shipping');
          if (r() < 0.6) push('purchase', '/checkout/thanks', Math.round(2000 + r() * 15000) / 100);
        }
      }
    }
  }
  return rows;
}

function matchFilter(row: Cell[], cols: ColumnInfo[], f: Filter): boolean {
  const j = cols.findIndex((c) => c.name === f.column);
  if (j < 0) return false;
  const v = row[j];
  const s = v === null ? '' : String(v);
  const val = f.value;
  switch (f.op) {
    case 'eq':
      return s === String(val);
    case 'ne':
      return s !== String(val);
    case 'contains':
      return s.includes(String(val));
    case 'not_contains':
      return !s.includes(String(val));
    case 'starts_with':
      return s.startsWith(String(val));
    case 'regex':
      return new RegExp(String(val)).test(s);
    case 'in':
      return Array.isArray(val) && val.map(String).includes(s);
    case 'not_in':
      return Array.isArray(val) && !val.map(String).includes(s);
    case 'gt':
      return Number(v) > Number(val);
    case 'gte':
      return Number(v) >= Number(val);
    case 'lt':
      return Number(v) < Number(val);
    case 'lte':
      return Number(v) <= Number(val);
    case 'is_set':
      return v !== null && s !== '';
    case 'is_not_set':
      return v === null || s === '';
  }
}

function matchStep(row: Cell[], cols: ColumnInfo[], s: FunnelStep): boolean {
  const ev = cols.findIndex((c) => c.role === 'event');
  const pg = cols.findIndex((c) => c.role === 'page');
  if (s.event !== undefined && row[ev] !== s.event) return false;
  if (s.page !== undefined) {
    const p = String(row[pg] ?? '');
    if (typeof s.page === 'string') {
      if (s.page.includes('*')) {
        const re = new RegExp('^' + s.page.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
        if (!re.test(p)) return false;
      } else if (p !== s.page) return false;
    } else if (!new RegExp(s.page.regex).test(p)) return false;
  }
  return (s.where ?? []).every((f) => matchFilter(row, cols, f));
}

const WINDOW_MS: Record<string, number> = { m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** A plain ordered funnel (first attempt only): good enough to look at, not the engine. */
function funnel(t: Table, spec: FunnelSpec): FunnelResult {
  const cols = t.info.columns;
  const ui = cols.findIndex((c) => c.role === 'user');
  const ti = cols.findIndex((c) => c.role === 'time');
  const m = /^(\d+)([mhdw])$/.exec(spec.window ?? '14d');
  const win = m ? Number(m[1]) * WINDOW_MS[m[2]] : 14 * 86400e3;
  const from = spec.date_range?.from ? Date.parse(spec.date_range.from) : -Infinity;
  const to = spec.date_range?.to ? Date.parse(spec.date_range.to) + 86400e3 : Infinity;
  const byUser = new Map<string, Cell[][]>();
  for (const row of t.rows) {
    const ts = Date.parse(String(row[ti]));
    if (ts < from || ts >= to) continue;
    if (!(spec.where ?? []).every((f) => matchFilter(row, cols, f))) continue;
    const k = String(row[ui]);
    let list = byUser.get(k);
    if (!list) byUser.set(k, (list = []));
    list.push(row);
  }
  const n = spec.steps.length;
  const bj = spec.breakdown ? cols.findIndex((c) => c.name === spec.breakdown!.column) : -1;
  const groups = new Map<string, { reached: number; times: number[][] }[]>();
  const all: { reached: number; times: number[][] }[] = [];
  for (const events of byUser.values()) {
    let reached = 0;
    let t0 = 0;
    let prev = 0;
    const times: number[][] = Array.from({ length: n }, () => []);
    let firstRow: Cell[] | null = null;
    for (const row of events) {
      if (reached >= n) break;
      const ts = Date.parse(String(row[ti]));
      if (reached > 0 && ts - t0 > win) break;
      if (matchStep(row, cols, spec.steps[reached])) {
        if (reached === 0) {
          t0 = ts;
          firstRow = row;
        } else times[reached].push((ts - prev) / 1000);
        prev = ts;
        reached++;
      }
    }
    if (reached === 0) continue;
    const rec = { reached, times };
    all.push(rec);
    if (bj >= 0 && firstRow) {
      const v = firstRow[bj] === null ? '(none)' : String(firstRow[bj]);
      if (!groups.has(v)) groups.set(v, []);
      groups.get(v)!.push(rec);
    }
  }
  const summarise = (recs: { reached: number; times: number[][] }[]): StepResult[] =>
    spec.steps.map((s, k) => {
      const count = recs.filter((r) => r.reached > k).length;
      const prevCount = k === 0 ? count : recs.filter((r) => r.reached > k - 1).length;
      const first = recs.length;
      const ts = recs.flatMap((r) => (r.reached > k && k > 0 ? r.times[k] : [])).sort((a, b) => a - b);
      return {
        label: s.label ?? s.event ?? (typeof s.page === 'string' ? s.page : (s.page?.regex ?? '')),
        count,
        conversion_from_start: first ? count / first : null,
        conversion_from_previous: prevCount ? count / prevCount : null,
        dropped: prevCount - count,
        average_seconds: ts.length ? ts.reduce((a, b) => a + b, 0) / ts.length : null,
        median_seconds: ts.length ? ts[Math.floor(ts.length / 2)] : null,
      };
    });
  const result: FunnelResult = { steps: summarise(all) };
  if (bj >= 0) {
    const limit = spec.breakdown?.limit ?? 10;
    result.breakdown = [...groups.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, limit)
      .map(([value, recs]) => ({ value, steps: summarise(recs) }));
  }
  return result;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function mockApi(): Api {
  const tables = new Map<string, Table>();
  const items: SavedItem[] = [];
  let cancelled = false;
  const add = (name: string, rows: Cell[][], columns: ColumnInfo[], source: string) =>
    tables.set(name, {
      rows,
      info: {
        name,
        kind: columns.some((c) => c.role === 'event') ? 'events' : 'metrics',
        rows: rows.length,
        columns,
        source,
        imported_at: new Date().toISOString(),
        stored_bytes: rows.length * 61,
      },
    });
  if (!new URLSearchParams(location.search).has('empty'))
    add('shop events', storeEvents(4000, 7), EVENT_COLUMNS, '/samples/shop_events.csv');

  const get = (name: string) => {
    const t = tables.get(name);
    if (!t) throw { code: 'not_found', message: `No dataset called "${name}" in this workspace.` };
    return t;
  };

  return {
    async listDatasets() {
      return [...tables.values()].map((t) => t.info);
    },
    async importFiles(paths, onEvent) {
      cancelled = false;
      const out: DatasetInfo[] = [];
      for (const p of paths) {
        const rows = storeEvents(20000, p.length);
        const total = rows.length * 61;
        for (let i = 1; i <= 20; i++) {
          await sleep(80);
          if (cancelled) throw { code: 'cancelled', message: 'The import was cancelled.' };
          onEvent({
            file: p,
            progress: { stage: 'reading', bytes_done: (total * i) / 20, bytes_total: total, rows_done: (rows.length * i) / 20 },
          });
        }
        if (p.includes('broken')) throw { code: 'bad_input', message: `${p}, row 12, column "date": "31/02" is not a date.` };
        let name = (p.split('/').pop() ?? p).replace(/\.[^.]+$/, '');
        while (tables.has(name)) name += ' (2)';
        add(name, rows, EVENT_COLUMNS, p);
        out.push(tables.get(name)!.info);
      }
      return out;
    },
    async cancelImport() {
      cancelled = true;
    },
    async deleteDataset(name) {
      get(name);
      tables.delete(name);
    },
    async renameDataset(from, to) {
      const t = get(from);
      tables.delete(from);
      t.info = { ...t.info, name: to };
      tables.set(to, t);
    },
    async workspaceInfo() {
      return { path: '/home/analyst/Client A.stepwise', datasets: tables.size };
    },
    async previewRows(name, offset, limit) {
      const t = get(name);
      await sleep(20);
      return { columns: t.info.columns, rows: t.rows.slice(offset, offset + limit), total: t.rows.length };
    },
    async runFunnel(spec) {
      const t0 = performance.now();
      const r = funnel(get(spec.dataset), spec);
      await sleep(Math.max(0, 15 - (performance.now() - t0)));
      return r;
    },
    async datasetValues(name, column, limit) {
      const t = get(name);
      const j = t.info.columns.findIndex((c) => c.name === column);
      if (j < 0) throw { code: 'not_found', message: `The dataset "${name}" has no column "${column}".` };
      const counts = new Map<string, number>();
      for (const r of t.rows) if (r[j] !== null) counts.set(String(r[j]), (counts.get(String(r[j])) ?? 0) + 1);
      return [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, limit)
        .map(([value, count]) => ({ value, count }));
    },
    async saveItem(kind: ItemKind, name: string, spec: unknown) {
      const i = items.findIndex((x) => x.kind === kind && x.name === name);
      const item = { kind, name, spec, updated_at: new Date().toISOString() };
      if (i >= 0) items[i] = item;
      else items.push(item);
    },
    async listItems<T>(kind: ItemKind) {
      return items.filter((x) => x.kind === kind) as SavedItem<T>[];
    },
    async countSegment(spec) {
      const t = get(spec.dataset ?? 'shop events');
      const users = new Set(t.rows.map((r) => r[0]));
      const n = Math.round(users.size * (0.9 / (1 + spec.conditions.length)));
      return { members: n, sample: [...users].slice(0, 5).map(String) };
    },
  };
}
