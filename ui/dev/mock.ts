// An in-memory stand-in for the Rust side, for `npm run dev` at /?mock only
// (the production build never includes it). It generates a small store
// clickstream and computes plain ordered funnels over it, so the screens can
// be looked at and clicked through in a browser.

import type { Api } from '../src/lib/api';
import type {
  Cell,
  ColumnInfo,
  DatasetInfo,
  Filter,
  FunnelResult,
  FunnelSpec,
  Step,
  ImportReport,
  ColumnType,
  Role,
  ItemKind,
  SavedItem,
  StepResult,
  EventMatch,
  Shown,
} from '../src/lib/types';

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

function matchStep(row: Cell[], cols: ColumnInfo[], s: Step): boolean {
  const ev = cols.findIndex((c) => c.role === 'event');
  const pg = cols.findIndex((c) => c.role === 'page');
  if (s.event !== undefined && row[ev] !== s.event) return false;
  if (s.page !== undefined) {
    const p = String(row[pg] ?? '');
    if (typeof s.page === 'string') {
      if (s.page.includes('*')) {
        const re = new RegExp('^' + s.page.split('*').map((x: string) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
        if (!re.test(p)) return false;
      } else if (p !== s.page) return false;
    } else if (!new RegExp(s.page.regex).test(p)) return false;
  }
  return (s.where ?? []).every((f) => matchFilter(row, cols, f));
}

const WINDOW_MS: Record<string, number> = { m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

function metricFunnel(t: Table, spec: FunnelSpec): FunnelResult {
  const cols = t.info.columns;
  const dj = cols.findIndex((c) => c.name === spec.dimension);
  const pageCols: ColumnInfo[] = [{ name: 'v', type: 'text', role: 'page' }];
  const counts = spec.steps.map((s) => {
    const mj = cols.findIndex((c) => c.name === (s.metric ?? spec.metric));
    return t.rows
      .filter((r) => matchStep([r[dj]], pageCols, { page: s.value }))
      .reduce((a, r) => a + Number(r[mj] ?? 0), 0);
  });
  return {
    breakdown: [],
    trend: null,
    time_to_convert: null,
    unit: 'rows',
    excluded: 0,
    warnings: counts.some((c) => c === 0) ? ['A step matches no rows of the table; check its value.'] : [],
    steps: spec.steps.map((s, k) => ({
      label: s.label ?? (typeof s.value === 'string' ? s.value : (s.value?.regex ?? '')),
      count: counts[k],
      conversion_from_start: counts[0] ? counts[k] / counts[0] : 0,
      conversion_from_previous: k === 0 ? 1 : counts[k - 1] ? counts[k] / counts[k - 1] : 0,
      dropped: k === 0 ? 0 : counts[k - 1] - counts[k],
      average_seconds: null,
      median_seconds: null,
    })),
  };
}

/** A plain ordered funnel (first attempt only): good enough to look at, not the engine. */
function funnel(t: Table, spec: FunnelSpec): FunnelResult {
  if (spec.dimension !== undefined) return metricFunnel(t, spec);
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
  type Rec = { reached: number; times: number[][]; stamps: number[] };
  const groups = new Map<string, Rec[]>();
  const all: Rec[] = [];
  for (const events of byUser.values()) {
    let reached = 0;
    let t0 = 0;
    let prev = 0;
    const times: number[][] = Array.from({ length: n }, () => []);
    let firstRow: Cell[] | null = null;
    const stamps: number[] = [];
    for (const row of events) {
      if (reached >= n) break;
      const ts = Date.parse(String(row[ti]));
      if (reached > 0 && ts - t0 > win) break;
      if (matchStep(row, cols, spec.steps[reached])) {
        if (reached === 0) {
          t0 = ts;
          firstRow = row;
        } else times[reached].push((ts - prev) / 1000);
        stamps[reached] = ts;
        prev = ts;
        reached++;
      }
    }
    if (reached === 0) continue;
    const rec = { reached, times, stamps };
    all.push(rec);
    if (bj >= 0 && firstRow) {
      const v = firstRow[bj] === null ? '(none)' : String(firstRow[bj]);
      if (!groups.has(v)) groups.set(v, []);
      groups.get(v)!.push(rec);
    }
  }
  const summarise = (recs: Rec[]): StepResult[] =>
    spec.steps.map((s, k) => {
      const count = recs.filter((r) => r.reached > k).length;
      const prevCount = k === 0 ? count : recs.filter((r) => r.reached > k - 1).length;
      const first = recs.length;
      const ts = recs.flatMap((r) => (r.reached > k && k > 0 ? r.times[k] : [])).sort((a, b) => a - b);
      return {
        label: s.label ?? s.event ?? (typeof s.page === 'string' ? s.page : (s.page?.regex ?? '')),
        count,
        conversion_from_start: first ? count / first : 0,
        conversion_from_previous: prevCount ? count / prevCount : 0,
        dropped: prevCount - count,
        average_seconds: ts.length ? ts.reduce((a, b) => a + b, 0) / ts.length : null,
        median_seconds: ts.length ? ts[Math.floor(ts.length / 2)] : null,
      };
    });
  const result: FunnelResult = {
    steps: summarise(all),
    breakdown: [],
    trend: null,
    time_to_convert: null,
    unit: spec.count ?? 'users',
    excluded: 0,
    warnings: [],
  };
  if (spec.trend) {
    const len = spec.trend.interval === 'month' ? 7 : 10;
    const byPeriod = new Map<string, { entered: number; converted: number }>();
    for (const r of all) {
      let day = new Date(r.stamps[0]);
      if (spec.trend.interval === 'week') day = new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 86400e3);
      const d = day.toISOString().slice(0, len);
      const p = byPeriod.get(d) ?? { entered: 0, converted: 0 };
      p.entered++;
      if (r.reached === n) p.converted++;
      byPeriod.set(d, p);
    }
    result.trend = [...byPeriod.entries()]
      .sort()
      .map(([period, p]) => ({ period, ...p, rate: p.entered ? p.converted / p.entered : 0, ci_low: null, ci_high: null }));
  }
  if (spec.time_to_convert) {
    const a = spec.time_to_convert.from_step ?? 0;
    const b = spec.time_to_convert.to_step ?? n - 1;
    const bins = spec.time_to_convert.bins ?? 10;
    const ds = all
      .filter((r) => r.reached > b)
      .map((r) => (r.stamps[b] - r.stamps[a]) / 1000)
      .sort((x, y) => x - y);
    const max = ds.length ? ds[ds.length - 1] : 1;
    const w = max / bins || 1;
    result.time_to_convert = {
      from_step: a,
      to_step: b,
      bins: Array.from({ length: bins }, (_, i) => ({
        from_seconds: i * w,
        to_seconds: (i + 1) * w,
        count: ds.filter((x) => x >= i * w && (i === bins - 1 ? x <= max : x < (i + 1) * w)).length,
      })),
      average_seconds: ds.length ? ds.reduce((x, y) => x + y, 0) / ds.length : null,
      median_seconds: ds.length ? ds[Math.floor(ds.length / 2)] : null,
    };
  }
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

/** Toy cell text for the mock's `shown` (the app shows the engine's text; this mode has no engine). */
const toyNumber = (x: number | null | undefined) => (x === null || x === undefined ? '' : Math.round(x).toLocaleString('en-US'));
const toyRate = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${(x * 100).toFixed(1)}%`);

/** A toy `shown`: a table of text, the first column text and the others numbers. */
function toyShown(columns: string[], rows: string[][], highlight?: number): Shown {
  return {
    heading: '',
    table: {
      columns: columns.map((name, j) => ({ name, kind: j === 0 || name === 'Verdict' ? null : 'number' })),
      rows: rows.map((r) => r.map((text) => ({ text }))),
      highlight,
    },
    bottleneck_step: highlight,
    notes: ['Toy numbers (the dev mock), not the engine.'],
    findings: [],
  };
}

function toyFunnelShown(r: FunnelResult): Shown {
  // the step with the largest share leaving, as the engine marks it
  let worst: number | undefined;
  let most = 0;
  r.steps.forEach((s, k) => {
    const leave = k === 0 ? 0 : 1 - (s.conversion_from_previous ?? 1);
    if (leave > most) [most, worst] = [leave, k];
  });
  return toyShown(
    ['Step', 'Users', '% of start', '% of previous', 'Dropped'],
    r.steps.map((s, k) => [
      `${k + 1}. ${s.label}`,
      toyNumber(s.count),
      toyRate(s.conversion_from_start),
      toyRate(s.conversion_from_previous),
      k === 0 ? '' : toyNumber(s.dropped),
    ]),
    worst,
  );
}

export function mockApi(): Api {
  const tables = new Map<string, Table>();
  const items: SavedItem[] = [];
  let cancelled = false;
  const add = (name: string, rows: Cell[][], columns: ColumnInfo[], source: string) =>
    tables.set(name, {
      rows,
      info: {
        name,
        kind: columns.some((c) => c.role === 'user') ? 'events' : 'metrics',
        rows: rows.length,
        columns,
        source,
        imported_at: new Date().toISOString(),
        stored_bytes: rows.length * 61,
      },
    });
  if (!new URLSearchParams(location.search).has('empty')) {
    add('shop events', storeEvents(4000, 7), EVENT_COLUMNS, '/samples/shop_events.csv');
    add(
      'ga4 pages',
      [
        ['/', 52000, 61000],
        ['/product/1', 30400, 33100],
        ['/product/2', 12800, 13900],
        ['/cart', 9100, 9800],
        ['/checkout', 4700, 4900],
        ['/checkout/shipping', 3100, 3200],
        ['/checkout/thanks', 1800, 1810],
      ],
      [
        { name: 'Page path', type: 'text', role: 'page' },
        { name: 'Users', type: 'integer', role: 'metric' },
        { name: 'Sessions', type: 'integer', role: 'metric' },
      ],
      '/samples/ga4_pages.csv',
    );
  }

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
      const out: ImportReport[] = [];
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
        out.push({
          dataset: tables.get(name)!.info,
          format: 'delimited',
          encoding: 'utf-8',
          delimiter: ',',
          sheet: null,
          table: 0,
          tables: 1,
          preset: 'ga4',
          number_style: 'point',
          time_zone: 'UTC',
          content_hash: '',
          rows_imported: rows.length,
          skipped_rows: 1,
          notes: ['Row 20,001 is a total ("Grand total") and was left out.'],
        });
      }
      return out;
    },
    async importSample(onEvent) {
      return this.importFiles(['/samples/sample store.csv'], onEvent);
    },
    async cancelImport() {
      cancelled = true;
    },
    async cancelAnalyses() {
      return 0;
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
    async getClickhouse() {
      return null;
    },
    async eventTags() {
      return [];
    },
    async setEventTag() {
      throw { code: 'unavailable', message: 'Tagging events needs the desktop app (the engine); the browser preview has none.' };
    },
    async setClickhouse() {
      throw { code: 'unavailable', message: 'A ClickHouse connection needs the desktop app (the engine); the browser preview has none.' };
    },
    async runFunnel(spec) {
      const t0 = performance.now();
      const r = funnel(get(spec.dataset), spec);
      await sleep(Math.max(0, 15 - (performance.now() - t0)));
      return { ...r, shown: toyFunnelShown(r) };
    },
    async datasetSummary(name) {
      const t = get(name);
      const u = t.info.columns.findIndex((c) => c.role === 'user');
      const tm = t.info.columns.findIndex((c) => c.role === 'time');
      if (t.info.kind !== 'events' || u < 0 || tm < 0) return null;
      const users = new Set<string>();
      let events = 0;
      let first: string | null = null;
      let last: string | null = null;
      for (const r of t.rows) {
        if (r[u] === null || r[tm] === null) continue;
        events += 1;
        users.add(String(r[u]));
        const v = String(r[tm]);
        if (first === null || v < first) first = v;
        if (last === null || v > last) last = v;
      }
      return {
        users: users.size,
        events,
        rows_without_user_or_time: t.rows.length - events,
        first_event: first,
        last_event: last,
      };
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
    async saveItem(kind, name, spec) {
      const i = items.findIndex((x) => x.kind === kind && x.name === name);
      const item = { kind, name, spec, updated_at: new Date().toISOString() } as SavedItem;
      if (i >= 0) items[i] = item;
      else items.push(item);
    },
    async deleteItem(kind: ItemKind, name: string) {
      const i = items.findIndex((x) => x.kind === kind && x.name === name);
      if (i >= 0) items.splice(i, 1);
      return i >= 0;
    },
    async listItems<K extends ItemKind>(kind: K) {
      return items.filter((x) => x.kind === kind) as SavedItem<K>[];
    },
    async reimportDataset(name, options) {
      const t = get(name);
      await sleep(400);
      const roles = new Map<string, Role>(options.map.map(([r, c]) => [c, r]));
      const types = new Map<string, ColumnType>(options.types);
      t.info = {
        ...t.info,
        columns: t.info.columns.map((c) => ({
          ...c,
          role: options.map.length ? (roles.get(c.name) ?? null) : c.role,
          type: types.get(c.name) ?? c.type,
        })),
      };
      return t.info;
    },
    async reportPages() {
      return [];
    },
    async exportReport(_spec, path) {
      await sleep(300);
      return [path];
    },
    async impact(spec) {
      const t = get(spec.dataset);
      const name = (m: EventMatch) => m.event ?? (typeof m.page === 'string' ? m.page : (m.page?.regex ?? ''));
      const goal = name(spec.goal);
      const users = new Map<string, Set<string>>();
      for (const r of t.rows) {
        const u = String(r[0]);
        if (!users.has(u)) users.set(u, new Set());
        users.get(u)!.add(String(r[2]));
      }
      const all = [...users.values()];
      const names =
        spec.candidates === 'auto' || spec.candidates === 'micro'
          ? ['use_filter', 'view_item', 'add_to_cart', 'begin_checkout', 'add_shipping_info']
          : spec.candidates.map(name);
      const rate = (xs: Set<string>[]) => (xs.length ? xs.filter((s) => s.has(goal)).length / xs.length : null);
      const aov = spec.order_value ?? 85;
      const out = names.map((ev) => {
        const did = all.filter((s) => s.has(ev));
        const not = all.filter((s) => !s.has(ev));
        const a = rate(did);
        const b = rate(not);
        const lift = a !== null && b ? a / b - 1 : null;
        const goals = (xs: Set<string>[]) => xs.filter((x) => x.has(goal)).length;
        return {
          label: ev,
          event: ev,
          users_did: did.length,
          goals_did: goals(did),
          goal_rate_did: a,
          users_not: not.length,
          goals_not: goals(not),
          goal_rate_not: b,
          diff: a !== null && b !== null ? a - b : null,
          diff_ci_low: null,
          diff_ci_high: null,
          lift,
          ci_low: lift === null ? null : lift * 0.8,
          ci_high: lift === null ? null : lift * 1.2,
          p_value: 0.001,
          reach: did.length / all.length,
          value_per_action: a !== null && b !== null ? (a - b) * aov : null,
          extra_goals: null,
          expected_value: null,
          required: b === 0 && !!a && not.length > 0,
          small_sample: did.length < 30,
          note: null,
        };
      });
      out.sort(
        (x, y) =>
          Number(x.required) - Number(y.required) || (y.value_per_action ?? 0) - (x.value_per_action ?? 0),
      );
      const goalUsers = all.filter((x) => x.has(goal)).length;
      const shown = toyShown(
        ['Action', 'Did it', 'Conv. if did', 'Conv. if not', 'Lift', 'Verdict'],
        out.map((c) => [c.label, toyNumber(c.users_did), toyRate(c.goal_rate_did), toyRate(c.goal_rate_not), c.required ? 'required' : toyRate(c.lift), c.required ? 'required step' : 'no clear difference']),
      );
      return {
        shown,
        goal: spec.goal,
        window: spec.window ?? '30d',
        users: all.length,
        goal_users: goalUsers,
        goal_rate: all.length ? goalUsers / all.length : 0,
        order_value: aov,
        order_value_source: 'typed',
        suggested_micro: [],
        candidates: out,
        note: 'Toy numbers (the dev mock), not the engine.',
        warnings: [],
      };
    },
    async compare(spec) {
      // Toy numbers shaped like the engine's Comparison; the real statistics live in the engine.
      const names = spec.segments
        ? spec.segments.map((s, i) => s.name ?? `Group ${i + 1}`)
        : ['A', 'B'];
      const r = rng(names.join('').length);
      const base = names.includes(spec.baseline ?? '') ? spec.baseline! : names[0];
      const groups = names.map((name) => {
        const users = Math.round(400 + r() * 3000);
        const conversions = Math.round(users * (0.05 + r() * 0.1));
        const rate = conversions / users;
        const se = Math.sqrt((rate * (1 - rate)) / users);
        return { name, users, conversions, rate, se };
      });
      const b = groups.find((g) => g.name === base)!;
      const step = (label: string, count: number, first: number): StepResult => ({
        label,
        count,
        conversion_from_start: first ? count / first : 0,
        conversion_from_previous: first ? count / first : 0,
        dropped: first - count,
        average_seconds: null,
        median_seconds: null,
      });
      const shown = toyShown(
        ['Segment', 'Users', 'Converted', 'Conversion'],
        groups.map((g) => [g.name, toyNumber(g.users), toyNumber(g.conversions), toyRate(g.rate)]),
      );
      return {
        shown,
        baseline: base,
        unit: 'users',
        confidence: 0.95,
        bottleneck: null,
        warnings: [],
        segments: groups.map((g) => {
          const isBase = g.name === base;
          const diff = g.rate - b.rate;
          const sd = Math.sqrt(g.se ** 2 + b.se ** 2);
          const z = diff / sd;
          const p = Math.min(1, 2 * Math.exp(-0.717 * Math.abs(z) - 0.416 * z * z));
          const kind = isBase ? 'baseline' : g.users < 500 ? 'not_enough_data' : p <= 0.05 ? 'significant' : 'no_clear_difference';
          return {
            name: g.name,
            steps: [step('entered', g.users, g.users), step('converted', g.conversions, g.users)],
            step_conversions: [],
            conversion: {
              rate: g.rate,
              ci_low: g.rate - 1.96 * g.se,
              ci_high: g.rate + 1.96 * g.se,
              diff: isBase ? null : diff,
              diff_ci_low: isBase ? null : diff - 1.96 * sd,
              diff_ci_high: isBase ? null : diff + 1.96 * sd,
              lift: isBase ? null : g.rate / b.rate - 1,
              lift_ci_low: null,
              lift_ci_high: null,
              z: isBase ? null : z,
              p_value: isBase ? null : p,
              p_adjusted: isBase ? null : Math.min(1, p * (names.length - 1)),
              verdict: kind === 'significant' ? 'significant at 95%' : kind.replace(/_/g, ' '),
              verdict_kind: kind as 'baseline' | 'significant' | 'no_clear_difference' | 'not_enough_data',
              note: kind === 'not_enough_data' ? 'Fewer than 500 users; wait for more data.' : null,
            },
          };
        }),
        chi_square: { statistic: 7.81, df: names.length - 1, p_value: 0.02, verdict: 'significant at 95%', verdict_kind: 'significant' as const },
      };
    },
    async countSegment(spec) {
      const t = get(spec.dataset ?? 'shop events');
      const users = new Set(t.rows.map((r) => r[0]));
      const n = Math.round(users.size * (0.9 / (1 + spec.conditions.length)));
      return { name: spec.name, unit: 'users', members: n, total_units: users.size, share: users.size ? n / users.size : 0, sample: [...users].slice(0, 5).map(String) };
    },
    async funnelDropoff(spec, step, limit) {
      const t = get(spec.dataset);
      const r = funnel(t, spec);
      const count = Math.max(0, (r.steps[step - 1]?.count ?? 0) - (r.steps[step]?.count ?? 0));
      const users = [...new Set(t.rows.map((row) => String(row[0])))].slice(0, Math.min(limit, count));
      return {
        step,
        from_label: r.steps[step - 1]?.label ?? '',
        to_label: r.steps[step]?.label ?? '',
        unit: 'users',
        count,
        header: ['user'],
        rows: users.map((u) => [u]),
      };
    },
    async exportDropoff(spec, step) {
      const r = funnel(get(spec.dataset), spec);
      return Math.max(0, (r.steps[step - 1]?.count ?? 0) - (r.steps[step]?.count ?? 0));
    },
    async copyChart() {},
    async saveChartPng() {},
    async fileTables() {
      return { kind: 'tables', tables: [] };
    },
    async appendDataset(name) {
      return get(name).info;
    },
    async recentWorkspaces() {
      return ['/home/analyst/Client A.stepwise', '/home/analyst/Client B.stepwise'];
    },
    async openWorkspace(path) {
      return { path, datasets: tables.size };
    },
    async exportAudience(spec) {
      return (await this.countSegment(spec)).members;
    },
    async exportTable(_analysis, _spec, path) {
      return path;
    },
    async runValue() {
      throw { code: 'unavailable', message: 'The value table needs the engine: run the app (npm run tauri dev).' };
    },
    async exportWasted() {
      return 0;
    },
    async runPaths() {
      throw { code: 'unavailable', message: 'Paths need the desktop app (the engine); the browser preview has none.' };
    },
    async runRetention() {
      throw { code: 'unavailable', message: 'Retention needs the desktop app (the engine); the browser preview has none.' };
    },
    async exportPathNode() {
      return 0;
    },
    async exportPathEdge() {
      return 0;
    },
    async planSampleSize(input) {
      // the classic formula, for the look of the screen; the engine computes the real one
      const p1 = input.baseline;
      const p2 = input.relative ? p1 * (1 + input.mde) : p1 + input.mde;
      const n = Math.ceil(((1.96 + 0.8416) ** 2 * (p1 * (1 - p1) + p2 * (1 - p2))) / (p2 - p1) ** 2);
      const arms = input.variants ?? 2;
      const t = (x: number) => x.toLocaleString('en-US');
      return {
        shown: {
          users_per_variant: t(n),
          total_users: t(n * arms),
          baseline_rate: `${(p1 * 100).toFixed(1)}%`,
          target_rate: `${(p2 * 100).toFixed(1)}%`,
          sentence: 'Toy plan (the dev mock), not the engine.',
        },
        baseline_rate: p1,
        target_rate: p2,
        users_per_arm: n,
        users_per_arm_exact: n,
        users_per_arm_cohen_h: n,
        cohen_h: 0,
        total_users: n * arms,
        days: input.daily_traffic ? Math.ceil((n * arms) / input.daily_traffic) : null,
      };
    },
    async sampleRatioCheck(observed) {
      const total = observed.reduce((a, b) => a + b, 0);
      const e = total / observed.length;
      const statistic = observed.reduce((a, o) => a + (o - e) ** 2 / e, 0);
      return {
        statistic,
        df: observed.length - 1,
        p_value: 0.5,
        expected: observed.map(() => e),
        planned: observed.map(() => 1 / observed.length),
        mismatch: false,
        sentence: 'Toy check (the dev mock), not the engine.',
      };
    },
  };
}
