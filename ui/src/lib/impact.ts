// The micro-conversion impact request (the engine's ImpactSpec) from the analyst's choices.

import { formatWindow, type WindowUnit } from './funnel';
import type { EventMatch, ImpactRow, ImpactSpec } from './types';

export interface ImpactDraft {
  dataset: string;
  goalKind: 'event' | 'page';
  goal: string;
  /** Empty = every event and page seen before the goal ("auto"). */
  candidates: string[];
  /** Rank only the dataset's events tagged micro conversions ("micro"; the list above is ignored). */
  microOnly: boolean;
  windowAmount: number;
  windowUnit: WindowUnit;
  valueMode: 'column' | 'typed';
  valueColumn: string;
  orderValue: string;
  /** Confidence of the intervals and of the significance after Holm's correction (0.95: the engine's default). */
  confidence: number;
}

export function emptyImpact(dataset: string): ImpactDraft {
  return {
    dataset,
    goalKind: 'event',
    goal: '',
    candidates: [],
    microOnly: false,
    windowAmount: 30,
    windowUnit: 'd',
    valueMode: 'typed',
    valueColumn: '',
    orderValue: '',
    confidence: 0.95,
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
    candidates: d.microOnly ? 'micro' : d.candidates.length ? d.candidates.map(target) : 'auto',
    window: formatWindow(d.windowAmount, d.windowUnit),
  };
  // absent: the engine's default, 95%
  if (d.confidence !== 0.95) spec.confidence = d.confidence;
  if (d.valueMode === 'column' && d.valueColumn) spec.value_column = d.valueColumn;
  if (d.valueMode === 'typed' && d.orderValue.trim() !== '') {
    const v = Number(d.orderValue);
    if (!Number.isFinite(v) || v < 0) return { missing: 'The average order value must be a number, e.g. 85.' };
    spec.order_value = v;
  }
  return { spec };
}

/** The engine's note on a candidate ("not enough data: an expected count is 3.9, ..."), or "". */
export function candidateNote(c: ImpactRow): string {
  const n = (c as { note?: unknown }).note;
  return typeof n === 'string' ? n : '';
}
