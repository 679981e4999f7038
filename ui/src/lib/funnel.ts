// The funnel builder's model: an editable draft (what the inspector binds to)
// and the pure functions that turn it into the engine's FunnelSpec, read a saved
// spec back, validate it and reorder steps.

import type {
  Attribution,
  ColumnInfo,
  Exclusion,
  Filter,
  FilterOp,
  FilterValue,
  FunnelSpec,
  Interval,
  Order,
  Pattern,
  Role,
  SavedItem,
  Step,
  Unit,
} from './types';

/** The engine's buyer-status breakdown and comparison group (Rust
 * `funnel::BUYER_STATUS`): first-time vs returning buyers of the funnel's
 * last step (docs/funnel.md, "Buyer status"). */
export const BUYER_STATUS = '$buyer_status';
/** What the pickers call it. */
export const BUYER_STATUS_LABEL = 'First-time vs returning buyers';

export type WindowUnit = 'm' | 'h' | 'd' | 'w';
export const WINDOW_UNITS: { unit: WindowUnit; label: string }[] = [
  { unit: 'm', label: 'minutes' },
  { unit: 'h', label: 'hours' },
  { unit: 'd', label: 'days' },
  { unit: 'w', label: 'weeks' },
];

export type PageMode = 'exact' | 'glob' | 'regex';

export interface FilterDraft {
  id: number;
  column: string;
  op: FilterOp;
  /** As typed; for in / not_in a comma-separated list. */
  value: string;
}

/** What a step matches: an event name, a page, or (metric tables) a dimension value. */
export type StepKind = 'event' | 'page' | 'value';

export interface StepDraft {
  id: number;
  label: string;
  kind: StepKind;
  value: string;
  /** For pages and values: exact, `*` glob, or regular expression. */
  pageMode: PageMode;
  where: FilterDraft[];
  /** At most this long after the previous step (`30m`, `2h`, `1d`); empty: only the window. */
  within?: string;
  /** Only the user's first event ever matching this step can fill it. */
  firstTime?: boolean;
  /** An attempt may skip this step (not the first or last; ordered and strict funnels). */
  optional?: boolean;
}

export interface ExclusionDraft {
  id: number;
  kind: 'event' | 'page';
  value: string;
  pageMode: PageMode;
  fromStep: number;
  toStep: number;
}

export interface FunnelDraft {
  name: string;
  dataset: string;
  /** Event table (per-user funnels) or metric table (steps sum a metric over rows). */
  kind: 'events' | 'metrics';
  /** Metric tables: the dimension column steps pick rows by, and the metric column summed. */
  dimension: string;
  metric: string;
  steps: StepDraft[];
  order: Order;
  windowAmount: number;
  windowUnit: WindowUnit;
  count: Unit;
  where: FilterDraft[];
  dateFrom: string;
  dateTo: string;
  exclude: ExclusionDraft[];
  breakdownColumn: string;
  attribution: Attribution;
  breakdownStep: number;
  breakdownLimit: number;
  /** A column every step of an attempt must share the value of (`hold`; "" = none). */
  holdColumn: string;
  /** Open funnel: a unit enters at the step of its first step event (ordered and strict funnels). */
  open: boolean;
  /** A saved persona to filter the funnel's users by ("" = everyone). */
  segmentName: string;
  trend: '' | Interval;
  timeToConvert: boolean;
  ttcFrom: number;
  /** -1 = the last step. */
  ttcTo: number;
  ttcBins: number;
}

let nextId = 1;
export function newId(): number {
  return nextId++;
}

export function emptyDraft(dataset: string): FunnelDraft {
  return {
    name: '',
    dataset,
    kind: 'events',
    dimension: '',
    metric: '',
    steps: [],
    order: 'ordered',
    windowAmount: 14,
    windowUnit: 'd',
    count: 'users',
    where: [],
    dateFrom: '',
    dateTo: '',
    exclude: [],
    breakdownColumn: '',
    attribution: 'first_touch',
    breakdownStep: 0,
    breakdownLimit: 10,
    holdColumn: '',
    open: false,
    segmentName: '',
    trend: '',
    timeToConvert: false,
    ttcFrom: 0,
    ttcTo: -1,
    ttcBins: 10,
  };
}

export function newStep(kind: StepKind, value: string): StepDraft {
  return {
    id: newId(),
    label: '',
    kind,
    value,
    pageMode: kind !== 'event' && value.includes('*') ? 'glob' : 'exact',
    where: [],
  };
}

export function newFilter(column = ''): FilterDraft {
  return { id: newId(), column, op: 'eq', value: '' };
}

// ---------------------------------------------------------------- window

/** "7d" -> {amount: 7, unit: "d"}; null if it is not `<positive integer><m|h|d|w>`. */
export function parseWindow(w: string): { amount: number; unit: WindowUnit } | null {
  const m = /^\s*(\d+)\s*([mhdw])\s*$/.exec(w);
  if (!m) return null;
  const amount = Number(m[1]);
  if (!(amount > 0)) return null;
  return { amount, unit: m[2] as WindowUnit };
}

export function formatWindow(amount: number, unit: WindowUnit): string {
  return `${amount}${unit}`;
}

// ---------------------------------------------------------------- filters

export const OP_LABELS: Record<FilterOp, string> = {
  eq: 'is',
  ne: 'is not',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  regex: 'matches regex',
  in: 'is one of',
  not_in: 'is none of',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  is_set: 'is set',
  is_not_set: 'is not set',
};

export function opTakesValue(op: FilterOp): boolean {
  return op !== 'is_set' && op !== 'is_not_set';
}

function isNumericColumn(columns: ColumnInfo[], name: string): boolean {
  const c = columns.find((c) => c.name === name);
  return !!c && (c.type === 'integer' || c.type === 'decimal' || c.type === 'duration');
}

function parseScalar(text: string, numeric: boolean): string | number | boolean {
  const t = text.trim();
  if (numeric && t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/** A filter draft as spec JSON, typing the value by the column and operator. */
export function buildFilter(f: FilterDraft, columns: ColumnInfo[]): Filter {
  if (!opTakesValue(f.op)) return { column: f.column, op: f.op };
  const numericOp = f.op === 'gt' || f.op === 'gte' || f.op === 'lt' || f.op === 'lte';
  const numeric = numericOp || isNumericColumn(columns, f.column);
  const textOp = f.op === 'contains' || f.op === 'not_contains' || f.op === 'starts_with' || f.op === 'regex';
  let value: FilterValue;
  if (f.op === 'in' || f.op === 'not_in') {
    value = f.value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => parseScalar(s, numeric) as string | number);
  } else if (textOp) {
    value = f.value;
  } else {
    value = parseScalar(f.value, numeric);
  }
  return { column: f.column, op: f.op, value };
}

export function filterDraftFrom(f: Filter): FilterDraft {
  let value = '';
  if (Array.isArray(f.value)) value = f.value.join(', ');
  else if (f.value !== undefined && f.value !== null) value = String(f.value);
  return { id: newId(), column: f.column, op: f.op, value };
}

// ---------------------------------------------------------------- pages

export function buildPage(value: string, mode: PageMode): Pattern {
  return mode === 'regex' ? { regex: value } : value;
}

function pageDraft(p: Pattern): { value: string; pageMode: PageMode } {
  if (typeof p === 'string') return { value: p, pageMode: p.includes('*') ? 'glob' : 'exact' };
  return { value: p.regex, pageMode: 'regex' };
}

// ---------------------------------------------------------------- spec

export function stepLabel(s: StepDraft): string {
  if (s.label.trim()) return s.label.trim();
  return s.value || '(empty step)';
}

export function buildStep(s: StepDraft, columns: ColumnInfo[]): Step {
  const out: Step = {};
  if (s.label.trim()) out.label = s.label.trim();
  if (s.kind === 'event') out.event = s.value;
  else if (s.kind === 'page') out.page = buildPage(s.value, s.pageMode);
  else out.value = buildPage(s.value, s.pageMode);
  const where = s.where.filter((f) => f.column !== '').map((f) => buildFilter(f, columns));
  if (where.length) out.where = where;
  if (s.within?.trim()) out.within = s.within.trim();
  if (s.firstTime) out.first_time = true;
  if (s.optional) out.optional = true;
  return out;
}

/**
 * The draft as the engine's FunnelSpec. Empty optional parts are left out.
 * `segments` are the saved personas, looked up by the draft's segmentName.
 */
export function buildSpec(d: FunnelDraft, columns: ColumnInfo[], segments: SavedItem<'segment'>[] = []): FunnelSpec {
  if (d.kind === 'metrics') {
    // A metric table: steps pick rows by a dimension value and sum a metric.
    const spec: FunnelSpec = { dataset: d.dataset, steps: d.steps.map((s) => buildStep(s, columns)) };
    if (d.dimension) spec.dimension = d.dimension;
    if (d.metric) spec.metric = d.metric;
    const where = d.where.filter((f) => f.column !== '').map((f) => buildFilter(f, columns));
    if (where.length) spec.where = where;
    return spec;
  }
  const spec: FunnelSpec = {
    dataset: d.dataset,
    steps: d.steps.map((s) => buildStep(s, columns)),
    order: d.order,
    window: formatWindow(d.windowAmount, d.windowUnit),
    count: d.count,
  };
  const where = d.where.filter((f) => f.column !== '').map((f) => buildFilter(f, columns));
  if (where.length) spec.where = where;
  if (d.dateFrom || d.dateTo) {
    spec.date_range = {};
    if (d.dateFrom) spec.date_range.from = d.dateFrom;
    if (d.dateTo) spec.date_range.to = d.dateTo;
  }
  const exclude: Exclusion[] = d.exclude
    .filter((x) => x.value !== '')
    .map((x) => {
      const e: Exclusion = { from_step: x.fromStep, to_step: x.toStep };
      if (x.kind === 'event') e.event = x.value;
      else e.page = buildPage(x.value, x.pageMode);
      return e;
    });
  if (exclude.length) spec.exclude = exclude;
  if (d.breakdownColumn === BUYER_STATUS) {
    // first-time vs returning buyers: no attribution, two rows
    spec.breakdown = { column: BUYER_STATUS };
  } else if (d.breakdownColumn) {
    spec.breakdown = { column: d.breakdownColumn, attribution: d.attribution, limit: d.breakdownLimit };
    if (d.attribution === 'step') spec.breakdown.step = d.breakdownStep;
  }
  if (d.holdColumn) spec.hold = d.holdColumn;
  if (d.open) spec.open = true;
  if (d.trend) spec.trend = { interval: d.trend };
  if (d.timeToConvert) {
    spec.time_to_convert = { from_step: d.ttcFrom, bins: d.ttcBins };
    if (d.ttcTo >= 0) spec.time_to_convert.to_step = d.ttcTo;
  }
  const seg = d.segmentName ? segments.find((x) => x.name === d.segmentName) : undefined;
  if (seg) spec.segment = { ...seg.spec, name: seg.name };
  return spec;
}

/** A saved spec back into an editable draft (the inverse of buildSpec). */
export function draftFromSpec(spec: FunnelSpec, name = ''): FunnelDraft {
  const d = emptyDraft(spec.dataset);
  d.name = name;
  d.steps = spec.steps.map((s) => {
    const step = newStep(s.event !== undefined ? 'event' : s.value !== undefined ? 'value' : 'page', '');
    step.label = s.label ?? '';
    if (s.event !== undefined) step.value = s.event;
    else if (s.page !== undefined) Object.assign(step, pageDraft(s.page));
    else if (s.value !== undefined) Object.assign(step, pageDraft(s.value));
    step.where = (s.where ?? []).map(filterDraftFrom);
    if (s.within) step.within = s.within;
    if (s.first_time) step.firstTime = true;
    if (s.optional) step.optional = true;
    return step;
  });
  if (spec.order) d.order = spec.order;
  const w = spec.window ? parseWindow(spec.window) : null;
  if (w) {
    d.windowAmount = w.amount;
    d.windowUnit = w.unit;
  }
  if (spec.count) d.count = spec.count;
  d.where = (spec.where ?? []).map(filterDraftFrom);
  d.dateFrom = spec.date_range?.from ?? '';
  d.dateTo = spec.date_range?.to ?? '';
  d.exclude = (spec.exclude ?? []).map((x) => {
    const kind = x.event !== undefined ? 'event' : 'page';
    const p = x.page !== undefined ? pageDraft(x.page) : { value: x.event ?? '', pageMode: 'exact' as PageMode };
    return { id: newId(), kind, ...p, fromStep: x.from_step ?? 0, toStep: x.to_step ?? spec.steps.length - 1 };
  });
  if (spec.breakdown) {
    d.breakdownColumn = spec.breakdown.column;
    d.attribution = spec.breakdown.attribution ?? 'first_touch';
    d.breakdownStep = spec.breakdown.step ?? 0;
    d.breakdownLimit = spec.breakdown.limit ?? 10;
  }
  d.holdColumn = spec.hold ?? '';
  d.open = spec.open === true;
  d.segmentName = spec.segment?.name ?? '';
  if (spec.metric !== undefined || spec.dimension !== undefined) {
    d.kind = 'metrics';
    d.metric = spec.metric ?? '';
    d.dimension = spec.dimension ?? '';
  }
  if (spec.trend) d.trend = spec.trend.interval;
  if (spec.time_to_convert) {
    d.timeToConvert = true;
    d.ttcFrom = spec.time_to_convert.from_step ?? 0;
    d.ttcTo = spec.time_to_convert.to_step ?? -1;
    d.ttcBins = spec.time_to_convert.bins ?? 10;
  }
  return d;
}

// ---------------------------------------------------------------- validation

export interface Issue {
  /** Where in the inspector: "step 2", "window", ... */
  at: string;
  message: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What stops the draft from being run, in words; empty when it can run. */
export function validate(d: FunnelDraft, columns: ColumnInfo[]): Issue[] {
  const issues: Issue[] = [];
  const names = new Set(columns.map((c) => c.name));
  const n = d.steps.length;
  if (!d.dataset) issues.push({ at: 'dataset', message: 'Choose a dataset to build the funnel on.' });
  if (n === 0) issues.push({ at: 'steps', message: 'Add a first step from the picker.' });
  d.steps.forEach((s, i) => {
    const at = `step ${i + 1}`;
    if (!s.value.trim()) issues.push({ at, message: `Step ${i + 1} has no ${s.kind}; pick one or remove the step.` });
    if (s.kind === 'page' && s.pageMode === 'regex' && !validRegex(s.value))
      issues.push({ at, message: `Step ${i + 1}'s regular expression does not parse; check its brackets.` });
    s.where.forEach((f) => checkFilter(f, names, at, issues));
  });
  if (d.kind === 'metrics') {
    if (!d.dimension) issues.push({ at: 'dimension', message: 'Choose the column whose values the steps pick (e.g. the page or funnel step).' });
    else if (!names.has(d.dimension)) issues.push({ at: 'dimension', message: `The dataset has no column "${d.dimension}".` });
    if (!d.metric) issues.push({ at: 'metric', message: 'Choose the metric column to add up (e.g. Users or Sessions).' });
    else if (!names.has(d.metric)) issues.push({ at: 'metric', message: `The dataset has no column "${d.metric}".` });
    d.where.forEach((f) => checkFilter(f, names, 'filters', issues));
    return issues;
  }
  if (!Number.isInteger(d.windowAmount) || d.windowAmount <= 0)
    issues.push({ at: 'window', message: 'The window must be a whole number above zero.' });
  d.where.forEach((f) => checkFilter(f, names, 'filters', issues));
  if (d.dateFrom && !ISO_DATE.test(d.dateFrom))
    issues.push({ at: 'date range', message: 'The start date must read YYYY-MM-DD.' });
  if (d.dateTo && !ISO_DATE.test(d.dateTo))
    issues.push({ at: 'date range', message: 'The end date must read YYYY-MM-DD.' });
  if (d.dateFrom && d.dateTo && d.dateFrom > d.dateTo)
    issues.push({ at: 'date range', message: 'The date range ends before it starts; swap the dates.' });
  d.steps.forEach((s, i) => {
    if (!s.optional) return;
    const at = `step ${i + 1}`;
    if (i === 0 || i === n - 1)
      issues.push({ at, message: `Step ${i + 1} cannot be optional: a funnel starts at its first step and converts at its last.` });
    else if (d.order === 'unordered')
      issues.push({ at, message: `Step ${i + 1} is optional, but an any-order funnel has no sequence to skip in; choose Ordered or Strict.` });
  });
  if (d.open && d.order === 'unordered')
    issues.push({ at: 'open', message: 'An any-order funnel already lets units start with any step; choose Ordered or Strict for an open funnel.' });
  d.exclude.forEach((x, i) => {
    const at = `exclusion ${i + 1}`;
    const opt = [x.fromStep, x.toStep].find((q) => d.steps[q]?.optional);
    if (opt !== undefined)
      issues.push({ at, message: `Exclusion ${i + 1} starts or ends at step ${opt + 1}, which is optional; use required steps.` });
    if (!x.value.trim()) issues.push({ at, message: `Exclusion ${i + 1} has no ${x.kind}; pick one or remove it.` });
    if (!(x.fromStep >= 0 && x.toStep < n && x.fromStep < x.toStep))
      issues.push({
        at,
        message: `Exclusion ${i + 1} must lie between two steps: "from" before "to", both within the ${n} steps.`,
      });
  });
  if (d.timeToConvert) {
    const to = d.ttcTo < 0 ? n - 1 : d.ttcTo;
    if (n < 2 || !(d.ttcFrom >= 0 && d.ttcFrom < to && to < n))
      issues.push({ at: 'time to convert', message: 'Time to convert needs a "from" step before its "to" step.' });
    if (!Number.isInteger(d.ttcBins) || d.ttcBins < 1 || d.ttcBins > 100)
      issues.push({ at: 'time to convert', message: 'Use between 1 and 100 bins for time to convert.' });
  }
  if (d.holdColumn && !names.has(d.holdColumn))
    issues.push({ at: 'hold', message: `The dataset has no column "${d.holdColumn}" to hold constant.` });
  if (d.breakdownColumn && d.breakdownColumn !== BUYER_STATUS) {
    if (!names.has(d.breakdownColumn))
      issues.push({ at: 'breakdown', message: `The dataset has no column "${d.breakdownColumn}" to break down by.` });
    if (d.attribution === 'step' && !(d.breakdownStep >= 0 && d.breakdownStep < n))
      issues.push({ at: 'breakdown', message: 'The breakdown step is not one of the funnel steps.' });
    if (!Number.isInteger(d.breakdownLimit) || d.breakdownLimit < 1)
      issues.push({ at: 'breakdown', message: 'Show at least one breakdown value.' });
  }
  return issues;
}

function checkFilter(f: FilterDraft, names: Set<string>, at: string, issues: Issue[]) {
  if (!f.column) {
    issues.push({ at, message: `A filter in ${at} has no column; choose one or remove the filter.` });
    return;
  }
  if (!names.has(f.column)) issues.push({ at, message: `The dataset has no column "${f.column}".` });
  if (opTakesValue(f.op) && f.value.trim() === '')
    issues.push({ at, message: `The filter on "${f.column}" needs a value.` });
  if ((f.op === 'gt' || f.op === 'gte' || f.op === 'lt' || f.op === 'lte') && !Number.isFinite(Number(f.value)))
    issues.push({ at, message: `The filter on "${f.column}" compares with a number; "${f.value}" is not one.` });
  if (f.op === 'regex' && !validRegex(f.value))
    issues.push({ at, message: `The regular expression on "${f.column}" does not parse.` });
}

function validRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- editing

/** A copy of `list` with the item at `from` moved to index `to`. */
export function moveItem<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || from >= list.length) return list.slice();
  const out = list.slice();
  const [it] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(to, out.length)), 0, it);
  return out;
}

/**
 * Move a step and keep exclusions and the breakdown step pointing at the same
 * steps they pointed at before.
 */
export function moveStep(d: FunnelDraft, from: number, to: number): FunnelDraft {
  const order = moveItem(
    d.steps.map((_, i) => i),
    from,
    to,
  );
  const where = (old: number) => order.indexOf(old);
  const exclude = d.exclude.map((x) => {
    const a = where(x.fromStep);
    const b = where(x.toStep);
    return { ...x, fromStep: Math.min(a, b), toStep: Math.max(a, b) };
  });
  return {
    ...d,
    steps: order.map((i) => d.steps[i]),
    exclude,
    breakdownStep: d.breakdownStep < d.steps.length ? where(d.breakdownStep) : d.breakdownStep,
  };
}

/** Remove a step; exclusions that lose a bound are dropped, later indices shift down. */
export function removeStep(d: FunnelDraft, index: number): FunnelDraft {
  const shift = (i: number) => (i > index ? i - 1 : i);
  return {
    ...d,
    steps: d.steps.filter((_, i) => i !== index),
    exclude: d.exclude
      .filter((x) => x.fromStep !== index && x.toStep !== index)
      .map((x) => ({ ...x, fromStep: shift(x.fromStep), toStep: shift(x.toStep) })),
    breakdownStep: d.breakdownStep === index ? 0 : shift(d.breakdownStep),
  };
}

// ---------------------------------------------------------------- columns

export function columnsWithRole(columns: ColumnInfo[], role: Role): ColumnInfo[] {
  return columns.filter((c) => c.role === role);
}
