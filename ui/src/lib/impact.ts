// The micro-conversion impact request (the engine's ImpactSpec) from the analyst's choices.

import { formatWindow, type WindowUnit } from './funnel';
import type { EventMatch, ImpactRow, ImpactSpec } from './types';

export interface ImpactDraft {
  dataset: string;
  goalKind: 'event' | 'page';
  goal: string;
  /** Empty = every event and page seen before the goal ("auto"). */
  candidates: string[];
  windowAmount: number;
  windowUnit: WindowUnit;
  valueMode: 'column' | 'typed';
  valueColumn: string;
  orderValue: string;
}

export function emptyImpact(dataset: string): ImpactDraft {
  return {
    dataset,
    goalKind: 'event',
    goal: '',
    candidates: [],
    windowAmount: 30,
    windowUnit: 'd',
    valueMode: 'typed',
    valueColumn: '',
    orderValue: '',
  };
}

const target = (s: string): EventMatch => (s.startsWith('/') ? { page: s } : { event: s });

export function buildImpact(d: ImpactDraft): { spec: ImpactSpec } | { missing: string } {
  if (!d.dataset) return { missing: 'Choose the event dataset to look for micro-conversions in.' };
  if (!d.goal.trim()) return { missing: 'Choose the goal: the macro conversion, e.g. purchase.' };
  if (!Number.isInteger(d.windowAmount) || d.windowAmount <= 0)
    return { missing: 'The window must be a whole number above zero.' };
  const spec: ImpactSpec = {
    dataset: d.dataset,
    goal: d.goalKind === 'event' ? { event: d.goal.trim() } : { page: d.goal.trim() },
    candidates: d.candidates.length ? d.candidates.map(target) : 'auto',
    window: formatWindow(d.windowAmount, d.windowUnit),
  };
  if (d.valueMode === 'column' && d.valueColumn) spec.value_column = d.valueColumn;
  if (d.valueMode === 'typed' && d.orderValue.trim() !== '') {
    const v = Number(d.orderValue);
    if (!Number.isFinite(v) || v < 0) return { missing: 'The average order value must be a number, e.g. 85.' };
    spec.order_value = v;
  }
  return { spec };
}

export function candidateName(c: ImpactRow): string {
  if (c.event !== undefined) return c.event;
  if (c.page !== undefined) return typeof c.page === 'string' ? c.page : c.page.regex;
  return c.label;
}

/** The engine's note on a candidate ("not enough data: an expected count is 3.9, ..."), or "". */
export function candidateNote(c: ImpactRow): string {
  const n = (c as { note?: unknown }).note;
  return typeof n === 'string' ? n : '';
}

/** Fewer users than this did the action (or did not): too few to read a lift from. */
export const SMALL_SAMPLE = 30;

export function isSmallSample(c: ImpactRow): boolean {
  return c.small_sample || c.users_did < SMALL_SAMPLE || c.users_not < SMALL_SAMPLE;
}

/**
 * Holm-adjusted p-values, as the engine's chart and report use them
 * (chart::results::impact_adjusted): over the candidates that have a p-value, in their order;
 * null for the others (required steps).
 */
export function holmAdjusted(candidates: ImpactRow[]): (number | null)[] {
  const tested = candidates.map((c, i) => (c.p_value === null || c.p_value === undefined ? -1 : i)).filter((i) => i >= 0);
  const m = tested.length;
  const order = tested.slice().sort((a, b) => candidates[a].p_value! - candidates[b].p_value!);
  const out: (number | null)[] = candidates.map(() => null);
  let running = 0;
  order.forEach((idx, i) => {
    running = Math.max(running, Math.min(1, candidates[idx].p_value! * (m - i)));
    out[idx] = running;
  });
  return out;
}

export type ImpactVerdict = 'required' | 'not_enough_data' | 'significant' | 'no_clear_difference';

/**
 * The engine's verdict on a candidate: a required step; not enough data (the engine's
 * small-sample flag, whatever the p-value); else significant when the Holm-adjusted p-value
 * is below 1 - confidence.
 */
export function impactVerdict(c: ImpactRow, adjusted: number | null, confidence = 0.95): ImpactVerdict {
  if (c.required) return 'required';
  if (isSmallSample(c)) return 'not_enough_data';
  if (adjusted !== null && adjusted < 1 - confidence) return 'significant';
  return 'no_clear_difference';
}

export const VERDICT_WORDS: Record<ImpactVerdict, string> = {
  required: 'required step',
  not_enough_data: 'not enough data',
  significant: 'significant',
  no_clear_difference: 'no clear difference',
};

/** A money amount without a currency symbol (the export's currency is unknown): "12.40". */
export function formatMoney(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const [int, dec] = Math.abs(v).toFixed(2).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (v < 0 ? '-' : '') + grouped + '.' + dec;
}
