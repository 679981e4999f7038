// The persona (segment) builder's model: a tree of AND / OR groups of
// conditions, turned into the engine's SegmentSpec (bindings/SegmentSpec.ts,
// docs/segments.md):
//   property    {"column", "op", "value", "value_of"}
//   behaviour   {"did": {"event"|"page": ...}, "at_least", "at_most", "within_days"}
//               {"did_not": {"event"|"page": ...}}
//   value       {"measure": "revenue"|"sessions"|"days_active"|"first_seen", "op", "value"}
//   NOT group   {"not": {"match", "conditions"}}

import { buildFilter, opTakesValue } from './funnel';
import type { BehaviourCondition, ColumnInfo, Condition, FilterOp, Match, Measure, SegmentSpec, ValueOf } from './types';

export const SEGMENT_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];

/**
 * The colour of each series of a comparison, as the engine's chart draws it
 * (Theme::series_colours): a series that asks for a palette colour (a
 * persona's own) gets it; the others take, in order, the palette colours
 * nobody asked for.
 */
export function seriesColours(wanted: (string | null | undefined)[]): string[] {
  const slot = (w: string | null | undefined) =>
    w ? SEGMENT_COLOURS.findIndex((c) => c.toLowerCase() === w.trim().toLowerCase()) : -1;
  const asked = wanted.map(slot);
  const free = SEGMENT_COLOURS.map((_, k) => k).filter((k) => !asked.includes(k));
  let spare = 0;
  return asked.map((k) => {
    if (k >= 0) return SEGMENT_COLOURS[k];
    const f = free.shift();
    return f !== undefined ? SEGMENT_COLOURS[f] : seriesColour(SEGMENT_COLOURS.length + spare++);
  });
}

/**
 * Series past the eight Okabe–Ito colours (a breakdown with many values), as the
 * engine's chart draws them (theme.rs EXTRA): distinct from those and from each other.
 */
export const SERIES_EXTRA = [
  '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#AA4499', '#882255',
  '#6699CC', '#EE8866', '#BBCC33', '#FFAABB',
];

/** The colour of series `i` (Theme::series): the palette, then the extra colours, cycling past all. */
export function seriesColour(i: number): string {
  const k = i % (SEGMENT_COLOURS.length + SERIES_EXTRA.length);
  return k < SEGMENT_COLOURS.length ? SEGMENT_COLOURS[k] : SERIES_EXTRA[k - SEGMENT_COLOURS.length];
}

/** The per-user values a value condition compares (the engine's Measure). */
export type Metric = Measure;
export const METRICS: { metric: Metric; label: string }[] = [
  { metric: 'revenue', label: 'total revenue' },
  { metric: 'sessions', label: 'number of sessions' },
  { metric: 'days_active', label: 'days active' },
  { metric: 'first_seen', label: 'first seen (date)' },
];

export interface PropertyDraft {
  id: number;
  type: 'property';
  column: string;
  op: FilterOp;
  value: string;
  valueOf: ValueOf;
}

export interface BehaviourDraft {
  id: number;
  type: 'behaviour';
  did: boolean;
  kind: 'event' | 'page';
  target: string;
  /** Empty string = no bound. */
  atLeast: number | '';
  atMost: number | '';
  withinDays: number | '';
}

export interface ValueDraft {
  id: number;
  type: 'value';
  metric: Metric;
  op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
  value: string;
}

export interface GroupDraft {
  id: number;
  type: 'group';
  match: Match;
  negate: boolean;
  conditions: ConditionDraft[];
}

export type ConditionDraft = PropertyDraft | BehaviourDraft | ValueDraft | GroupDraft;

export interface SegmentDraft {
  name: string;
  description: string;
  colour: string;
  dataset: string;
  root: GroupDraft;
}

let seq = 1;
const id = () => 100000 + seq++;

export function newCondition(type: ConditionDraft['type']): ConditionDraft {
  switch (type) {
    case 'property':
      return { id: id(), type, column: '', op: 'eq', value: '', valueOf: 'ever' };
    case 'behaviour':
      return { id: id(), type, did: true, kind: 'event', target: '', atLeast: 1, atMost: '', withinDays: '' };
    case 'value':
      return { id: id(), type, metric: 'revenue', op: 'gte', value: '' };
    case 'group':
      return { id: id(), type, match: 'any', negate: false, conditions: [] };
  }
}

export function emptySegment(dataset: string, colour = SEGMENT_COLOURS[0]): SegmentDraft {
  return {
    name: '',
    description: '',
    colour,
    dataset,
    root: { id: id(), type: 'group', match: 'all', negate: false, conditions: [] },
  };
}

function num(v: number | ''): number | undefined {
  return v === '' || !Number.isFinite(v) ? undefined : v;
}

export function buildCondition(c: ConditionDraft, columns: ColumnInfo[]): Condition {
  switch (c.type) {
    case 'property': {
      const f = buildFilter({ id: c.id, column: c.column, op: c.op, value: c.value }, columns);
      return { ...f, value_of: c.valueOf };
    }
    case 'behaviour': {
      const target = c.kind === 'event' ? { event: c.target } : { page: c.target };
      if (!c.did) return { did_not: target };
      const out: BehaviourCondition = { did: target };
      if (num(c.atLeast) !== undefined) out.at_least = num(c.atLeast);
      if (num(c.atMost) !== undefined) out.at_most = num(c.atMost);
      if (num(c.withinDays) !== undefined) out.within_days = num(c.withinDays);
      return out;
    }
    case 'value': {
      const value = c.metric === 'first_seen' ? text(c.value) : Number(text(c.value));
      return { measure: c.metric, op: c.op, value };
    }
    case 'group': {
      const g = { match: c.match, conditions: c.conditions.map((x) => buildCondition(x, columns)) };
      return c.negate ? { not: g } : g;
    }
  }
}

/** The draft as the engine's SegmentSpec. */
export function buildSegment(d: SegmentDraft, columns: ColumnInfo[]): SegmentSpec {
  const spec: SegmentSpec = {
    name: d.name.trim(),
    match: d.root.match,
    conditions: d.root.conditions.map((c) => buildCondition(c, columns)),
  };
  if (d.dataset) spec.dataset = d.dataset;
  if (d.description.trim()) spec.description = d.description.trim();
  spec.color = d.colour;
  return spec;
}

/** Read saved segment JSON back into a draft. */
export function segmentDraftFrom(spec: SegmentSpec): SegmentDraft {
  const d = emptySegment(spec.dataset ?? '', spec.color ?? SEGMENT_COLOURS[0]);
  d.name = spec.name ?? '';
  d.description = spec.description ?? '';
  d.root = { id: id(), type: 'group', match: spec.match ?? 'all', negate: false, conditions: spec.conditions.map(conditionDraftFrom) };
  return d;
}

function conditionDraftFrom(c: Condition): ConditionDraft {
  if ('not' in c) {
    const inner = conditionDraftFrom(c.not);
    if (inner.type === 'group') return { ...inner, negate: !inner.negate };
    return { id: id(), type: 'group', match: 'all', negate: true, conditions: [inner] };
  }
  if ('conditions' in c)
    return {
      id: id(),
      type: 'group',
      match: c.match ?? 'all',
      negate: false,
      conditions: c.conditions.map(conditionDraftFrom),
    };
  if ('did' in c || 'did_not' in c) {
    const t = c.did ?? c.did_not ?? {};
    const page = t.page === undefined ? '' : typeof t.page === 'string' ? t.page : t.page.regex;
    return {
      id: id(),
      type: 'behaviour',
      did: c.did !== undefined,
      kind: t.event !== undefined ? 'event' : 'page',
      target: t.event ?? page,
      atLeast: c.at_least ?? '',
      atMost: c.at_most ?? '',
      withinDays: c.within_days ?? '',
    };
  }
  if ('measure' in c) {
    const op = (['gt', 'gte', 'lt', 'lte', 'eq'] as const).find((o) => o === c.op) ?? 'gte';
    return { id: id(), type: 'value', metric: c.measure, op, value: String(c.value) };
  }
  if (!('column' in c)) return newCondition('property');
  const v = c.value;
  return {
    id: id(),
    type: 'property',
    column: c.column,
    op: c.op,
    value: Array.isArray(v) ? v.join(', ') : v === undefined || v === null ? '' : String(v),
    valueOf: c.value_of ?? 'ever',
  };
}

/** A typed value as trimmed text: a number input bound to the draft may hold a number (or null). */
function text(v: unknown): string {
  return v === null || v === undefined ? '' : String(v).trim();
}

/** What stops the segment from being counted, in words. */
export function validateSegment(d: SegmentDraft, columns: ColumnInfo[]): string[] {
  const out: string[] = [];
  const names = new Set(columns.map((c) => c.name));
  if (!d.dataset) out.push('Choose the dataset whose users the persona is drawn from.');
  if (d.root.conditions.length === 0) out.push('Add a first condition: a property, a behaviour or a value.');
  const walk = (g: GroupDraft, path: string) => {
    if (g !== d.root && g.conditions.length === 0) out.push(`The group ${path} is empty; add a condition or remove it.`);
    g.conditions.forEach((c, i) => {
      const at = path ? `${path}.${i + 1}` : `${i + 1}`;
      if (c.type === 'group') walk(c, at);
      else if (c.type === 'property') {
        if (!c.column) out.push(`Condition ${at} has no column.`);
        else if (!names.has(c.column)) out.push(`Condition ${at}: the dataset has no column "${c.column}".`);
        if (opTakesValue(c.op) && text(c.value) === '') out.push(`Condition ${at} needs a value.`);
      } else if (c.type === 'behaviour') {
        if (!c.target.trim()) out.push(`Condition ${at} needs the ${c.kind} the user did.`);
        if (c.kind === 'page' && columns.length > 0 && !columns.some((x) => x.role === 'page'))
          out.push(`Condition ${at}: this dataset has no page column; use an event, or set a column's role to page on the mapping screen.`);
        const lo = num(c.atLeast);
        const hi = num(c.atMost);
        if (lo !== undefined && hi !== undefined && lo > hi)
          out.push(`Condition ${at}: "at least" ${lo} is more than "at most" ${hi}.`);
      } else if (c.type === 'value') {
        const v = text(c.value);
        if (c.metric === 'first_seen' ? !/^\d{4}-\d{2}-\d{2}$/.test(v) : !Number.isFinite(Number(v)) || v === '')
          out.push(`Condition ${at} needs ${c.metric === 'first_seen' ? 'a date (YYYY-MM-DD)' : 'a number'}.`);
      }
    });
  };
  walk(d.root, '');
  return out;
}
